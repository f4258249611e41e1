"""Write the multi-language package schema inferred from `LambdaRds` and its TypedDict args.

The same inference runs when another language calls `pulumi package add`; the committed
`components/schema.json` is checked against it in the tests, so the docs and SDKs never drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lambda_rds._version import __version__

PACKAGE_NAME = "lambda-rds"


def generate() -> dict[str, Any]:
    from pulumi.provider.experimental.component import ComponentProvider

    from lambda_rds.component import LambdaRds

    provider = ComponentProvider([LambdaRds], PACKAGE_NAME, version=__version__)
    assert provider.schema is not None
    schema: dict[str, Any] = json.loads(provider.schema)
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --out differs from the generated schema"
    )


def run(args: argparse.Namespace) -> int:
    text = render(generate())
    if args.check:
        if args.out is None:
            print("--check needs --out", file=sys.stderr)
            return 2
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run `make schema`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    return 0
