"""Pure rules shared by settings, wiring and analysis; no Pulumi.

Subnet layout, connection sizing, IAM documents, derived identifiers and AWS's facts with their sources:
plain functions and data, tested directly.
"""
