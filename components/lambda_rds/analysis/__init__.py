"""Offline analysis of a Pulumi program's resources: topology model, reachability, policies, cost.

Pure Python: nothing here imports the Pulumi runtime (a test enforces it), so the same checks run over a mock
capture, ``pulumi preview --json`` output, CrossGuard's resources, or boto3 describe calls.
"""
