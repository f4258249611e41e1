"""Review of issue 21's KMS path: a secret encrypted with Secrets Manager's AWS managed key, however
DescribeSecret records it (key id, key ARN, alias ARN), never asks the role for kms:Decrypt.

AWS managed keys' policies are the service's (https://docs.aws.amazon.com/kms/latest/developerguide/
key-policy-services.html): the role needs no grant. moto's DescribeKey answers KeyManager CUSTOMER for
every key, so the AWS managed key's answer is a botocore ``Stubber`` response checked against the model.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber
from lambda_rds.analysis.checks.reachability.permissions import check_secret_read
from lambda_rds.analysis.model.build import build_model
from lambda_rds.doctor import normalise
from lambda_rds.doctor.aws import Aws
from lambda_rds.doctor.function_reads import FunctionReads
from lambda_rds.rules import iam

REGION = "us-east-1"
KEY_ID = "0b8e2a1c-1111-2222-3333-444455556666"
KEY_ARN = f"arn:aws:kms:{REGION}:123456789012:key/{KEY_ID}"


def _reads(manager: str, expected_key: str) -> tuple[FunctionReads, Stubber]:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    kms = session.client("kms", region_name=REGION, endpoint_url="http://127.0.0.1:9")
    stub = Stubber(kms)
    meta: dict[str, Any] = {"KeyId": KEY_ID, "Arn": KEY_ARN, "KeyManager": manager}
    stub.add_response("describe_key", {"KeyMetadata": meta}, {"KeyId": expected_key})
    stub.activate()
    return FunctionReads(Aws(session, REGION, clients={"kms": kms})), stub


def test_aws_managed_key_by_id_arn_or_alias_arn_is_marked_aws_managed() -> None:
    for given in (KEY_ID, KEY_ARN, f"arn:aws:kms:{REGION}:123456789012:alias/aws/secretsmanager"):
        reads, stub = _reads("AWS", given)
        resolved = reads.kms_key_arn(given)
        stub.assert_no_pending_responses()
        assert resolved.startswith("alias/aws/"), (given, resolved)


def test_customer_key_by_id_resolves_to_its_arn() -> None:
    reads, stub = _reads("CUSTOMER", KEY_ID)
    assert reads.kms_key_arn(KEY_ID) == KEY_ARN
    stub.assert_no_pending_responses()


def test_a_secret_on_the_aws_managed_alias_arn_passes_without_a_kms_grant() -> None:
    secret_arn = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:app-AbCdEf"
    role = normalise.role(
        {"RoleName": "app-role", "Arn": "arn:aws:iam::123456789012:role/app-role"},
        {"read": iam.read_secret_policy(secret_arn)},
        [],
    )
    fn = normalise.function(
        {
            "FunctionName": "app-fn",
            "Role": "arn:aws:iam::123456789012:role/app-role",
            "Environment": {"Variables": {"DB_AUTH": "secret", "DB_SECRET_ARN": secret_arn}},
        },
        None,
    )
    for key in (f"arn:aws:kms:{REGION}:123456789012:alias/aws/secretsmanager", "alias/aws/secretsmanager"):
        secret = normalise.secret({"ARN": secret_arn, "Name": "app", "KmsKeyId": key})
        model = build_model([role, fn, *secret])
        (f,) = model.functions
        verdict = check_secret_read(model, f)
        assert verdict.status == "pass", (key, verdict)
