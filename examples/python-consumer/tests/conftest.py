"""A consumer's own unit tests, written the way Pulumi's testing guide shows, with lambda-rds's mocks.

Run from the example folder: `pytest tests` (the repository's `make test` runs them too). Nothing here
needs AWS, the Pulumi CLI, pip or the network.
"""
