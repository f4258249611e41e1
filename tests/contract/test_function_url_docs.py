"""Issue 17, item 4: function URL callers need both `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction`
("Starting in October 2025, new function URLs will require both", sources.LAMBDA_URLS_AUTH). Every place
that tells a caller what to hold names both: the `url` docstring (and so the schema and the
generated reference), the generated components/schema.json and docs/reference.md, and docs/deploying.md,
whose caller policy grants both."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lambda_rds.args import FunctionArgs
from lambda_rds.commands import schema as schema_command
from lambda_rds.rules import aws_sources as sources

ROOT = Path(__file__).resolve().parents[2]
BOTH = ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction`")


def _url_doc() -> str:
    """The `url` key's docstring as the schema carries it (read from args.py by the schema generator)."""
    types = schema_command.generate()["types"]
    (fn,) = [t for token, t in types.items() if token.endswith(":FunctionArgs")]
    return str(fn["properties"]["url"]["description"])


def test_the_url_docstring_names_both_actions() -> None:
    assert "url" in FunctionArgs.__annotations__
    doc = _url_doc()
    for action in BOTH:
        assert action in doc, doc


def test_the_reference_table_names_both_actions() -> None:
    reference = (ROOT / "docs" / "reference.md").read_text()
    (row,) = [line for line in reference.splitlines() if line.startswith("| `url` |")]
    for action in BOTH:
        assert action in row, row


def test_the_generated_schema_and_reference_name_both_actions() -> None:
    """components/schema.json (what other languages' SDKs are generated from) and docs/reference.md are
    generated from the docstring by `make docs`: the committed copies must say the same."""
    schema = json.loads((ROOT / "components" / "schema.json").read_text())
    (fn,) = [t for token, t in schema["types"].items() if token.endswith(":FunctionArgs")]
    doc = str(fn["properties"]["url"]["description"])
    (row,) = [
        line
        for line in (ROOT / "docs" / "reference.md").read_text().splitlines()
        if line.startswith("| `url` |")
    ]
    for action in BOTH:
        assert action in doc, f"components/schema.json: {doc}"
        assert action in row, f"docs/reference.md: {row}"


def test_the_deploying_guide_shows_a_caller_policy_with_both_actions() -> None:
    text = (ROOT / "docs" / "deploying.md").read_text()
    section = text.split("`functions: {app: {url: true}}`", 1)[1].split("\n## ", 1)[0]
    assert sources.LAMBDA_URLS_AUTH in section
    policies = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]
    actions = [a for p in policies for st in p["Statement"] for a in st["Action"]]
    assert sorted(actions) == ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"]
    # Cross-account callers: both statements in the function's resource-based policy, too.
    assert "--action lambda:InvokeFunctionUrl --function-url-auth-type AWS_IAM" in section
    assert "--action lambda:InvokeFunction --invoked-via-function-url" in section


def test_no_doc_tells_a_caller_to_hold_the_url_action_alone() -> None:
    """Wherever InvokeFunctionUrl is named as what a caller needs, InvokeFunction is named beside it."""
    paths = ["README.md", "docs/deploying.md", "docs/reference.md", "components/lambda_rds/args.py"]
    for path in [ROOT / p for p in paths]:
        for paragraph in re.split(r"\n\s*\n", path.read_text()):
            if "lambda:InvokeFunctionUrl" in paragraph and "need" in paragraph:
                assert "lambda:InvokeFunction`" in paragraph or '"lambda:InvokeFunction"' in paragraph, (
                    f"{path.name}: {paragraph[:200]}"
                )
