"""Review of issue 23 item 5: the function's tags are read from the function, never from an alias.

``lambda-rds doctor --function app-api:live`` gives a FunctionArn ending in ``:live``; tags belong to the
function ("Lambda does not support adding tags to aliases or versions", API_ListTags), so ListTags is asked
of the unqualified ARN. The answer is a botocore ``Stubber`` response checked against the Lambda model.
"""

from __future__ import annotations

import boto3
from botocore.stub import Stubber
from lambda_rds.doctor.alarm_reads import AlarmReads
from lambda_rds.doctor.aws import Aws

REGION = "us-east-1"
FUNCTION = f"arn:aws:lambda:{REGION}:123456789012:function:app-api"


def test_tags_of_an_alias_are_read_from_its_function() -> None:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    lam = session.client("lambda", region_name=REGION, endpoint_url="http://127.0.0.1:9")
    stub = Stubber(lam)
    for _ in range(2):
        stub.add_response("list_tags", {"Tags": {"lambda-rds:component": "app"}}, {"Resource": FUNCTION})
    stub.activate()
    reads = AlarmReads(Aws(session, REGION, clients={"lambda": lam}))
    assert reads.function_tags(f"{FUNCTION}:live") == {"lambda-rds:component": "app"}
    assert reads.function_tags(FUNCTION) == {"lambda-rds:component": "app"}
    stub.assert_no_pending_responses()
    assert reads.notes == []
