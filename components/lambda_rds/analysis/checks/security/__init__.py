"""Security policies over the model, mapped to AWS Foundational Security Best Practices (FSBP) control ids.

Each policy has an id (the FSBP id, or ``LR.*`` for lambda-rds's own rules where FSBP has none), a
severity, whether a violation fails the plan (``mandatory``) or is only reported (advisory), and a scope:
``all`` stacks or ``prod`` only (Multi-AZ, deletion protection, monitoring and flow logs are production
concerns; a throwaway dev stack is not wrong to skip them). Waivers (``waivers.py``) turn a violation
into a reported, justified exception.

Modules by service: ``rds`` (instances, clusters, proxies), ``network`` (VPCs, security groups, NAT),
``lambda_`` (functions), ``secrets`` (Secrets Manager, KMS). ``POLICIES`` is their list, in that order.
"""

from __future__ import annotations

from lambda_rds.analysis.checks.registry import Policy
from lambda_rds.analysis.checks.security import lambda_, network, rds, secrets

POLICIES: list[Policy] = [
    *rds.REGISTRY.policies,
    *network.REGISTRY.policies,
    *lambda_.REGISTRY.policies,
    *secrets.REGISTRY.policies,
]

__all__ = ["POLICIES"]
