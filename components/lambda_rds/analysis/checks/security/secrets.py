"""Security policies for Secrets Manager rotation and KMS keys (FSBP ``SecretsManager.*``, ``KMS.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.checks.selectors import resource_named
from lambda_rds.analysis.model.resources import parse_json_property
from lambda_rds.analysis.model.tokens import T_KMS_KEY
from lambda_rds.analysis.model.values import as_bool, as_mapping, as_str
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import iam

REGISTRY = Registry()
policy = REGISTRY.policy


@policy("SecretsManager.1", "Secrets have automatic rotation enabled", "medium", mandatory=False)
def _sm1(m: Model) -> Iterator[Violation]:
    for s in m.secrets:
        if s.rotation_days is None and not s.managed_by_rds:
            yield (
                resource_named(m, "aws:secretsmanager/secret:Secret", s.name),
                "no aws.secretsmanager.SecretRotation",
            )


@policy("SecretsManager.4", "Secrets rotate within 90 days", "medium", mandatory=False)
def _sm4(m: Model) -> Iterator[Violation]:
    for s in m.secrets:
        if s.rotation_days is not None and s.rotation_days > 90 and not s.managed_by_rds:
            yield (
                resource_named(m, "aws:secretsmanager/secret:Secret", s.name),
                f"rotation every {s.rotation_days} days",
            )


@policy("KMS.4", "KMS key rotation is enabled", "medium", mandatory=False)
def _kms4(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_KMS_KEY):
        spec = as_str(r.get("customerMasterKeySpec")) or as_str(r.get("keySpec")) or "SYMMETRIC_DEFAULT"
        if spec == "SYMMETRIC_DEFAULT" and not as_bool(r.get("enableKeyRotation")):
            yield r, "enableKeyRotation is not true"


@policy("KMS.2", "IAM policies do not allow decryption on all KMS keys", "medium", mandatory=False)
def _kms2(m: Model) -> Iterator[Violation]:
    for r in m.resources:
        if r.type not in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
            continue
        doc = parse_json_property(r.get("policy"))
        statements = as_mapping(doc).get("Statement", []) if doc else []
        for st in statements if isinstance(statements, list) else [statements]:
            st = as_mapping(st)
            if st.get("Effect") != "Allow" or "*" not in iam.statement_resources(dict(st)):
                continue
            if any(
                a.lower() in ("kms:decrypt", "kms:*", "*", "kms:reencryptfrom")
                for a in iam.statement_actions(dict(st))
            ):
                yield r, "allows kms:Decrypt on Resource '*'"
                break
