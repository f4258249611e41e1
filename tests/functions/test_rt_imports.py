"""Cold start hygiene: importing the handler loads nothing heavy, and IAM signing never imports botocore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
HEAVY = [
    "boto3",
    "botocore",
    "logging",
    "pymysql",
    "http.client",
    "urllib.parse",
    "typing",
    "dataclasses",
    "inspect",
]

PROBE = """
import json, sys
sys.path[:0] = [{functions!r}, {app!r}]
import handler
from lambda_rds_runtime.config import DbConfig
from lambda_rds_runtime.credentials import IamTokenSource
config = DbConfig.from_env()
login = IamTokenSource(config).login()
assert login.password.startswith("db.example.internal:5432/?Action=connect&DBUser=app&")
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def test_handler_import_and_token_signing_stay_light() -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DB_ENGINE": "postgres",
        "DB_HOST": "db.example.internal",
        "DB_NAME": "app",
        "DB_USER": "app",
        "DB_AUTH": "iam",
        "DB_CA_BUNDLE": __file__,  # any existing file: nothing is verified at import or signing time
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
    }
    code = PROBE.format(functions=str(FUNCTIONS), app=str(FUNCTIONS / "app"), heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
