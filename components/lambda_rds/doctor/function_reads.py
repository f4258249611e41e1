"""Reads on the function's side: Lambda (the function, concurrency, siblings), IAM and Secrets Manager.

The function's configuration and reserved concurrency, the account's concurrency quota, the function's
role with its inline and attached policies, its secret's metadata (never the value), and the other
functions whose DB_HOST names the same database (their concurrency shares its connections).
"""

from __future__ import annotations

import functools
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.doctor import locate, normalise
from lambda_rds.doctor.reads import Reads, no_items
from lambda_rds.doctor.status import status_notes
from lambda_rds.rules import iam

# Secrets Manager's AWS managed key: a secret made without a KmsKeyId is encrypted with it
# (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html, KmsKeyId).
AWS_MANAGED_SECRETS_KEY = "alias/aws/secretsmanager"


def role_name_from_arn(arn: str) -> str:
    """``arn:aws:iam::123:role/service-role/app`` -> ``app`` (GetRole wants the name, not the path)."""
    return arn.rsplit("/", 1)[-1]


class FunctionReads(Reads):
    """Lambda, IAM and Secrets Manager reads (``Reader`` brings them together with the others)."""

    # -- account ----------------------------------------------------------------------------------------
    def account_concurrency(self) -> tuple[int | None, int | None]:
        """(ConcurrentExecutions, UnreservedConcurrentExecutions) from lambda:GetAccountSettings.

        The account's real quota (AWS's default is 1000, new accounts start lower): the checks use it
        instead of the default (sources.GET_ACCOUNT_SETTINGS).
        """
        empty: dict[str, Any] = {}
        answer = self.optional(
            "lambda:GetAccountSettings", lambda: self.aws.call("lambda", "get_account_settings"), empty
        )
        limit = answer.get("AccountLimit") or {}
        total, unreserved = limit.get("ConcurrentExecutions"), limit.get("UnreservedConcurrentExecutions")
        return (
            int(total) if isinstance(total, int) else None,
            int(unreserved) if isinstance(unreserved, int) else None,
        )

    # -- function and role ------------------------------------------------------------------------------
    def function(self, name: str) -> tuple[dict[str, Any], int | None]:
        config = self.required(
            f"lambda:GetFunctionConfiguration {name}",
            lambda: self.aws.call("lambda", "get_function_configuration", FunctionName=name),
        )
        self.status.extend(status_notes("function", config))
        reserved = self.reserved_concurrency(str(config["FunctionName"]))
        return config, reserved

    def reserved_concurrency(self, name: str) -> int | None:
        answer = self.optional(
            f"lambda:GetFunctionConcurrency {name}",
            lambda: self.aws.call("lambda", "get_function_concurrency", FunctionName=name),
            {"unreadable": True},
        )
        if answer.get("unreadable"):
            self.notes.append(f"{name}: reserved concurrency unknown, counted as unreserved")
        value = answer.get("ReservedConcurrentExecutions")
        return int(value) if value is not None else None

    def role(self, role_arn: str) -> None:
        name = role_name_from_arn(role_arn)
        item = self.optional(
            f"iam:GetRole {name}", lambda: self.aws.call("iam", "get_role", RoleName=name).get("Role"), None
        )
        if not item:
            return
        inline: dict[str, Any] = {}
        for pname in self.optional(
            f"iam:ListRolePolicies {name}",
            lambda: self.aws.pages("iam", "list_role_policies", "PolicyNames", RoleName=name),
            no_items(),
        ):
            doc = self.optional(
                f"iam:GetRolePolicy {name}/{pname}",
                functools.partial(self._role_policy, name, str(pname)),
                None,
            )
            if doc is not None:
                inline[pname] = doc
        attached = self.optional(
            f"iam:ListAttachedRolePolicies {name}",
            lambda: self.aws.pages("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name),
            no_items(),
        )
        arns = [str(a["PolicyArn"]) for a in attached if a.get("PolicyArn")]
        if item.get("PermissionsBoundary"):
            boundary = item["PermissionsBoundary"].get("PermissionsBoundaryArn")
            self.notes.append(
                f"role {name} has permissions boundary {boundary}: not evaluated (nor are SCPs)"
            )
        self.add(normalise.role(item, inline, arns))
        for arn in arns:
            # AWS-managed policies the analysis already knows (iam.MANAGED_POLICY_ACTIONS) need no read.
            if arn not in iam.MANAGED_POLICY_ACTIONS:
                self.add(self.managed_policy(arn))

    def _role_policy(self, role: str, policy: str) -> Any:
        return self.aws.call("iam", "get_role_policy", RoleName=role, PolicyName=policy).get("PolicyDocument")

    def managed_policy(self, arn: str) -> Resource | None:
        policy = self.optional(
            f"iam:GetPolicy {arn}",
            lambda: self.aws.call("iam", "get_policy", PolicyArn=arn).get("Policy"),
            None,
        )
        if not policy or not policy.get("DefaultVersionId"):
            return None
        version = self.optional(
            f"iam:GetPolicyVersion {arn}",
            lambda: self.aws.call(
                "iam", "get_policy_version", PolicyArn=arn, VersionId=policy["DefaultVersionId"]
            ).get("PolicyVersion"),
            None,
        )
        if not version:
            return None
        return normalise.managed_policy(arn, str(policy.get("PolicyName") or arn), version.get("Document"))

    # -- the secret -------------------------------------------------------------------------------------
    def secret(self, arn: str) -> None:
        item = self.optional(
            f"secretsmanager:DescribeSecret {arn}",
            lambda: self.aws.call("secretsmanager", "describe_secret", SecretId=arn),
            None,
        )
        if item:
            key = item.get("KmsKeyId")
            if key:
                item = {**item, "KmsKeyId": self.kms_key_arn(str(key))}
            self.add(*normalise.secret(item))

    def kms_key_arn(self, key: str) -> str:
        """The key ARN behind a secret's ``KmsKeyId``.

        DescribeSecret gives the key id, the key ARN, an alias name or an alias ARN (as it was set), while a
        role policy grants ``kms:Decrypt`` on the key ARN: matched as given, a key id or alias never matches
        (a false alarm). ``kms:DescribeKey`` accepts all
        four forms and answers ``KeyMetadata.Arn``
        (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html). An AWS managed key
        (``KeyManager`` AWS) becomes ``alias/aws/secretsmanager``, the one AWS managed key Secrets Manager
        encrypts with, however it was recorded (key id, key ARN, alias ARN): the service keeps its key policy
        (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html), the role needs no
        grant, and the check skips ``alias/aws/`` keys. A key ARN is described too: it may be that key's.
        Unreadable: kept as given."""
        if key.startswith("alias/aws/"):
            return key
        empty: dict[str, Any] = {}
        meta = self.optional(
            f"kms:DescribeKey {key}",
            lambda: self.aws.call("kms", "describe_key", KeyId=key).get("KeyMetadata") or empty,
            empty,
        )
        if not meta.get("Arn"):
            if ":key/" not in key:  # a key ARN is already what the role's grant names
                self.notes.append(
                    f"the secret's KMS key {key} could not be resolved to its ARN: matched as given"
                )
            return key
        if meta.get("KeyManager") == "AWS":
            return AWS_MANAGED_SECRETS_KEY
        return str(meta["Arn"])

    # -- functions sharing the database -----------------------------------------------------------------
    def siblings(self, function: str, hosts: set[str]) -> list[tuple[dict[str, Any], int | None]]:
        found: list[tuple[dict[str, Any], int | None]] = []
        for config in self.optional(
            "lambda:ListFunctions (other functions using the same database)",
            lambda: self.aws.pages("lambda", "list_functions", "Functions"),
            no_items(),
        ):
            host = ((config.get("Environment") or {}).get("Variables") or {}).get("DB_HOST")
            if config.get("FunctionName") != function and host and locate.normalise_host(str(host)) in hosts:
                found.append((config, self.reserved_concurrency(str(config["FunctionName"]))))
        return found
