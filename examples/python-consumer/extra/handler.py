"""Example: a function of your own using the runtime package shipped in the lambda-rds layer."""

from typing import Any

from lambda_rds_runtime import get_database


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    rows = get_database().query("SELECT count(*) FROM items", (), read_only=True)
    return {"items": rows[0][0]}
