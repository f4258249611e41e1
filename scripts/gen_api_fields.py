"""Regenerate components/lambda_rds/analysis/checks/aws/api_fields.json from the installed botocore's API
models.

For every input in ``api_map.FIELD_MAP`` it records the request member's type and the constraints the
model states (enum, min/max: a value range for numbers, a length for strings and lists, a regex pattern),
plus the botocore version it read. ``tests/analysis/test_aws_api_fields.py`` fails when the committed file
differs from what the installed botocore gives: bump botocore, then run ``make docs``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "components" / "lambda_rds" / "analysis" / "checks" / "aws" / "api_fields.json"


def generate() -> dict[str, Any]:
    import botocore
    import botocore.session
    from lambda_rds.analysis.checks.aws.api_map import FIELD_MAP

    session = botocore.session.get_session()
    models: dict[str, Any] = {}
    fields: dict[str, dict[str, Any]] = {}
    for type_token, inputs in sorted(FIELD_MAP.items()):
        for path, (service, operation, member) in sorted(inputs.items()):
            if service not in models:
                models[service] = session.get_service_model(service)
            shape = models[service].operation_model(operation).input_shape
            for step in member.split("."):
                shape = shape.member if step == "[]" else shape.members[step]
            entry: dict[str, Any] = {"api": f"{service}:{operation}.{member}", "type": shape.type_name}
            for key in ("min", "max", "pattern"):
                if key in shape.metadata:
                    entry[key] = shape.metadata[key]
            if getattr(shape, "enum", None):
                entry["enum"] = list(shape.enum)
            fields.setdefault(type_token, {})[path] = entry
    return {"botocore_version": botocore.__version__, "fields": fields}


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main() -> None:
    OUT.write_text(render(generate()))
    print(f"{OUT.relative_to(ROOT)} regenerated", file=sys.stderr)


if __name__ == "__main__":
    main()
