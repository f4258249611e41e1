"""The standard-library SigV4 signer must be byte-identical to botocore (fixed clock and credentials)."""

from __future__ import annotations

import datetime
import urllib.parse
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st
from lambda_rds_runtime.awscreds import AwsCredentials, credentials_from_env
from lambda_rds_runtime.errors import RuntimeConfigError
from lambda_rds_runtime.iam_token import generate_auth_token
from lambda_rds_runtime.sigv4 import quote, sign_headers

FIXED = datetime.datetime(2026, 11, 22, 23, 59, 58, tzinfo=datetime.timezone.utc)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token/with=special&chars"


def botocore_token(host: str, port: int, user: str, region: str, token: str | None) -> str:
    with mock.patch("botocore.auth.get_current_datetime", return_value=FIXED):
        client = boto3.client(
            "rds",
            region_name=region,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            aws_session_token=token,
        )
        return str(client.generate_db_auth_token(host, port, user))


def our_token(host: str, port: int, user: str, region: str, token: str | None) -> str:
    return generate_auth_token(
        host=host,
        port=port,
        user=user,
        region=region,
        credentials=AwsCredentials(ACCESS_KEY, SECRET_KEY, token),
        epoch_seconds=FIXED.timestamp(),
    )


@pytest.mark.parametrize("session_token", [None, SESSION_TOKEN], ids=["no-session-token", "session-token"])
@pytest.mark.parametrize(
    ("host", "port", "user", "region"),
    [
        ("mydb.c9akciq32.us-east-1.rds.amazonaws.com", 5432, "app", "us-east-1"),
        ("prx-0123.proxy-abc.eu-west-1.rds.amazonaws.com", 3306, "app_user", "eu-west-1"),
        ("MyCluster.Cluster-XYZ.ap-south-1.rds.amazonaws.com", 5432, "Mixed Case+user/x", "ap-south-1"),
        ("db.example.internal", 443, "u", "cn-north-1"),  # default https port: dropped from the host header
    ],
)
def test_iam_token_matches_botocore(
    host: str, port: int, user: str, region: str, session_token: str | None
) -> None:
    expected = botocore_token(host, port, user, region, session_token)
    assert our_token(host, port, user, region, session_token) == expected


@settings(max_examples=60, deadline=None)
@given(
    user=st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),
    port=st.integers(min_value=1, max_value=65535),
)
def test_iam_token_matches_botocore_for_arbitrary_users_and_ports(user: str, port: int) -> None:
    host = "db.abc.us-west-2.rds.amazonaws.com"
    assert our_token(host, port, user, "us-west-2", SESSION_TOKEN) == botocore_token(
        host, port, user, "us-west-2", SESSION_TOKEN
    )


def test_token_shape_and_lifetime() -> None:
    token = our_token("h.example", 5432, "app", "us-east-1", None)
    assert token.startswith("h.example:5432/?Action=connect&DBUser=app&")
    assert "X-Amz-Expires=900" in token
    assert "X-Amz-Date=20261122T235958Z" in token


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_quote_matches_urllib(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates cannot be signed by anyone
    assert quote(text) == urllib.parse.quote(text, safe="-_.~")


@pytest.mark.parametrize("session_token", [None, SESSION_TOKEN])
@pytest.mark.parametrize("url", ["http://127.0.0.1:5000/", "https://secretsmanager.us-east-1.amazonaws.com/"])
def test_header_signature_matches_botocore(url: str, session_token: str | None) -> None:
    body = b'{"SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}'
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"}
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    with mock.patch("botocore.auth.get_current_datetime", return_value=FIXED):
        botocore.auth.SigV4Auth(
            Credentials(ACCESS_KEY, SECRET_KEY, session_token), "secretsmanager", "us-east-1"
        ).add_auth(request)
    host = url.split("/")[2]
    ours = sign_headers(
        method="POST",
        host=host.removesuffix(":443"),
        path="/",
        headers=headers,
        body=body,
        credentials=AwsCredentials(ACCESS_KEY, SECRET_KEY, session_token),
        region="us-east-1",
        service="secretsmanager",
        epoch_seconds=FIXED.timestamp(),
    )
    assert ours["Authorization"] == request.headers["Authorization"]
    assert ours["X-Amz-Date"] == request.headers["X-Amz-Date"]
    assert ours.get("X-Amz-Security-Token") == request.headers.get("X-Amz-Security-Token")


def test_credentials_from_env_and_repr_hides_secrets() -> None:
    creds = credentials_from_env(
        {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "AWS_SESSION_TOKEN": "sessXYZ"}
    )
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKID", "s3cr3t", "sessXYZ")
    assert "s3cr3t" not in repr(creds) and "sessXYZ" not in repr(creds)
    with pytest.raises(RuntimeConfigError, match="AWS_ACCESS_KEY_ID"):
        credentials_from_env({})


def test_token_generation_is_fast() -> None:
    """REFERENCE.md: ~0.15 ms; allow a slow CI box 2 ms on average."""
    import time

    creds = AwsCredentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    started = time.perf_counter()
    for _ in range(200):
        generate_auth_token(host="h.example", port=5432, user="app", region="us-east-1", credentials=creds)
    assert (time.perf_counter() - started) / 200 < 0.002
