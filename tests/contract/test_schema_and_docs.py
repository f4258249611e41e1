"""The committed schema and docs/reference.md match the code; the README links to the reference."""

from pathlib import Path

from lambda_rds.commands import docs
from lambda_rds.commands import schema as schema_command

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_inferred_one() -> None:
    generated = schema_command.render(schema_command.generate())
    committed = (ROOT / "components" / "schema.json").read_text()
    assert committed == generated, "components/schema.json drifted from lambda_rds.args: run `make docs`"


def test_schema_describes_every_input_and_output() -> None:
    schema = schema_command.generate()
    resource = schema["resources"][docs.TOKEN]
    props = dict(resource["inputProperties"])
    for typ in schema["types"].values():
        props.update(typ.get("properties", {}))
    undocumented = [k for k, p in props.items() if not p.get("description")]
    undocumented += [k for k, p in resource["properties"].items() if not p.get("description")]
    assert undocumented == []
    # Values that decide which resources exist are plain, never Inputs (ARCHITECTURE.md contract).
    assert all(
        resource["inputProperties"][k].get("plain") for k in ("engine", "azCount", "proxy", "egress", "auth")
    )


def test_the_reference_is_generated_from_the_schema() -> None:
    reference = docs.render_reference(schema_command.generate())
    text = (ROOT / "docs" / "reference.md").read_text()
    assert docs.splice(text, reference) == text, "docs/reference.md drifted: run `make docs`"


def test_the_readme_links_to_the_reference_instead_of_copying_it() -> None:
    """One generated copy: `make docs` no longer writes into the README, so a copy there would go stale."""
    readme = (ROOT / "README.md").read_text()
    assert docs.BEGIN not in readme and docs.END not in readme
    assert "](docs/reference.md)" in readme
