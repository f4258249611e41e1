"""Regenerate components/schema.json, docs/reference.md and the README's reference section."""

from pathlib import Path

import gen_api_fields  # type: ignore[import-not-found]
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
    readme = ROOT / "README.md"
    readme.write_text(docs.splice(readme.read_text(), reference))
    # The API-model table first: the rule table counts the resource types it covers.
    gen_api_fields.main()
    (ROOT / "docs" / "aws-rules.md").write_text(aws.rule_table_markdown())
    deploying = ROOT / "docs" / "deploying.md"
    deploying.write_text(deployer.splice_docs(deploying.read_text()))
    print("schema.json, docs/reference.md, docs/aws-rules.md and README.md regenerated")


if __name__ == "__main__":
    main()
