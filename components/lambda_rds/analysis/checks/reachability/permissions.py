"""IAM verdicts: the function's role may manage its ENIs, connect with IAM auth, read its secret.

Ids: ``iam.eni``, ``iam.db-connect``, ``iam.secret-read``.
"""

from __future__ import annotations

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.paths import Status
from lambda_rds.analysis.model.values import as_bool
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy
from lambda_rds.rules import iam


def check_eni(fn: Function) -> Verdict:
    if fn.role is None:
        return Verdict(
            "iam.eni", fn.name, None, "unknown", "role not in the program", (), (f"role {fn.role_arn}",)
        )
    docs = list(fn.role.documents)
    missing = [
        a
        for a in ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface")
        if not iam.allows(docs, a, "*")
    ]
    if not missing:
        return Verdict(
            "iam.eni",
            fn.name,
            fn.role.name,
            "pass",
            "role may manage the function's ENIs",
            (f"role {fn.role.name} allows ec2 ENI actions",),
        )
    status: Status = "unknown" if fn.role.unknown_managed_arns else "fail"
    return Verdict(
        "iam.eni",
        fn.name,
        fn.role.name,
        status,
        "role cannot manage ENIs: creating or updating the function fails",
        (),
        (
            f"role {fn.role.name} does not allow {', '.join(missing)}"
            + (
                f" (unknown managed policies: {', '.join(fn.role.unknown_managed_arns)})"
                if fn.role.unknown_managed_arns
                else ""
            ),
        ),
        (f"attach {iam.VPC_ACCESS_POLICY_ARN} to {fn.role.name}",),
    )


def _connect_resource(model: Model, target: Proxy | Database) -> tuple[str, str] | None:
    if isinstance(target, Proxy):
        return ("proxy", target.proxy_id) if target.proxy_id else None
    if target.resource_id is None:
        return None
    return ("cluster" if target.kind == "cluster" else "instance", target.resource_id)


def check_db_connect(model: Model, fn: Function, target: Proxy | Database) -> Verdict:
    user = fn.env.get("DB_USER")
    if not user:
        return Verdict(
            "iam.db-connect",
            fn.name,
            target.name,
            "fail",
            "DB_USER not set",
            (),
            ("IAM auth needs DB_USER",),
            ("set DB_USER",),
        )
    res = _connect_resource(model, target)
    if res is None or fn.role is None:
        return Verdict(
            "iam.db-connect", fn.name, target.name, "unknown", "resource id or role computed at deploy"
        )
    kind, rid = res
    arn = iam.rds_db_connect_arn(model.region, model.account_id or "*", kind, rid, user)  # type: ignore[arg-type]
    evidence = []
    missing = []
    if (
        isinstance(target, Database)
        and as_bool(target.resource.get("iamDatabaseAuthenticationEnabled")) is False
    ):
        missing.append(
            f"database {target.name} has IAM database authentication disabled "
            "(iamDatabaseAuthenticationEnabled: false): every token is refused"
        )
    if isinstance(target, Proxy) and not target.iam_auth:
        missing.append(
            f"proxy {target.name} does not require IAM auth (auths iamAuth/defaultAuthScheme): tokens "
            "are refused"
        )
    if iam.allows(list(fn.role.documents), "rds-db:connect", arn):
        evidence.append(f"role {fn.role.name} allows rds-db:connect on {arn}")
    else:
        missing.append(f"role {fn.role.name} does not allow rds-db:connect on {arn}")
    if missing:
        return Verdict(
            "iam.db-connect",
            fn.name,
            target.name,
            "fail",
            "IAM authentication will be refused",
            tuple(evidence),
            tuple(missing),
            (f"grant rds-db:connect on {arn} (iam.rds_db_connect_arn; not the database ARN, aws-cdk#12415)",),
        )
    return Verdict(
        "iam.db-connect", fn.name, target.name, "pass", "IAM authentication allowed", tuple(evidence)
    )


def check_secret_read(model: Model, fn: Function) -> Verdict:
    arn = fn.env.get("DB_SECRET_ARN", "")
    if fn.role is None:
        return Verdict("iam.secret-read", fn.name, arn, "unknown", "role not in the program")
    docs = list(fn.role.documents)
    if not iam.allows(docs, "secretsmanager:GetSecretValue", arn):
        return Verdict(
            "iam.secret-read",
            fn.name,
            arn,
            "fail",
            "role cannot read the secret it is told to read",
            (),
            (f"role {fn.role.name} does not allow secretsmanager:GetSecretValue on {arn}",),
            (f"grant secretsmanager:GetSecretValue on {arn} (iam.read_secret_policy)",),
        )
    evidence = [f"role {fn.role.name} allows secretsmanager:GetSecretValue on {arn}"]
    secret = next((s for s in model.secrets if s.arn == arn), None)
    key = secret.kms_key_id if secret else None
    # An AWS managed key (alias/aws/..., by name or alias ARN) is the service's to grant: no role grant.
    aws_managed = key is not None and (key.startswith("alias/aws/") or ":alias/aws/" in key)
    if key and not aws_managed and not iam.allows(docs, "kms:Decrypt", key):
        return Verdict(
            "iam.secret-read",
            fn.name,
            arn,
            "fail",
            "role cannot decrypt the secret's customer key",
            tuple(evidence),
            (f"role {fn.role.name} does not allow kms:Decrypt on {key}",),
            (f"grant kms:Decrypt on {key} with kms:ViaService secretsmanager",),
        )
    return Verdict("iam.secret-read", fn.name, arn, "pass", "role can read its secret", tuple(evidence))
