"""The wiring: the Pulumi resources of each part of the topology.

Each builder takes a `Scope` (the component's name, parent options, tags and account facts), the
`Settings`, and the typed handles of the builders before it, and returns a small typed handle:
network -> database -> app_secret -> proxy -> connection -> layers -> bootstrap -> rotation -> functions.
"""
