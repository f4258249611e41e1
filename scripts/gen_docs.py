"""Regenerate components/schema.json, docs/reference.md, docs/aws-rules.md and the generated blocks of
docs/deploying.md and docs/previewing.md (its report samples: real plans of this repository's stacks)."""

from pathlib import Path

import gen_api_fields  # type: ignore[import-not-found]
import gen_plan_samples  # type: ignore[import-not-found]
from lambda_rds.analysis.checks import aws
from lambda_rds.commands import deployer_policy as deployer
from lambda_rds.commands import docs
from lambda_rds.commands import schema as schema_command

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    schema = schema_command.generate()
    (ROOT / "components" / "schema.json").write_text(schema_command.render(schema))
    reference = docs.render_reference(schema)
    (ROOT / "docs" / "reference.md").write_text(
        "# lambda-rds reference\n\n" + docs.BEGIN + "\n" + reference + docs.END + "\n"
    )
    # The README links to docs/reference.md and carries no generated block of its own (issue 19: a short
    # first read); tests/contract/test_doc_links.py holds it to that link.
    # The API-model table first: the rule table counts the resource types it covers.
    gen_api_fields.main()
    (ROOT / "docs" / "aws-rules.md").write_text(aws.rule_table_markdown())
    deploying = ROOT / "docs" / "deploying.md"
    deploying.write_text(deployer.splice_docs(deploying.read_text()))
    # Last: the report samples are real plans of this repository's stacks, made with the code as it is now.
    previewing = ROOT / "docs" / "previewing.md"
    previewing.write_text(gen_plan_samples.render(previewing))
    print("schema.json, docs/reference.md, docs/aws-rules.md, deploying.md and previewing.md regenerated")


if __name__ == "__main__":
    main()
