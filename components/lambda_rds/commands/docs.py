"""Reference tables (inputs, nested types, outputs) rendered from the package schema.

One source of truth: the args docstrings become the schema's descriptions, and these tables come from the
schema, so the README, docs/reference.md and every language's SDK say the same thing. Pure.
"""

from __future__ import annotations

from typing import Any

TOKEN = "lambda-rds:index:LambdaRds"
BEGIN = "<!-- BEGIN GENERATED REFERENCE (make docs) -->"
END = "<!-- END GENERATED REFERENCE -->"


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit(":", 1)[-1]
    t = prop.get("type", "any")
    if t == "array":
        return f"list[{_type_of(prop.get('items', {}))}]"
    if t == "object":
        return f"map[{_type_of(prop.get('additionalProperties', {}))}]"
    return str(t)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _props_table(props: dict[str, Any], required: list[str]) -> list[str]:
    rows = ["| key | type | description |", "| --- | --- | --- |"]
    for key, prop in props.items():
        req = " (required)" if key in required else ""
        rows.append(f"| `{key}`{req} | {_type_of(prop)} | {_cell(prop.get('description', ''))} |")
    return rows


def render_reference(schema: dict[str, Any]) -> str:
    resource = schema["resources"][TOKEN]
    lines = [
        "### Inputs of `LambdaRds`",
        "",
        "Keys are spelled as the schema and other languages spell them (camelCase); Python and stack",
        "config use snake_case (`azCount` is `az_count`).",
        "",
    ]
    lines += _props_table(resource["inputProperties"], resource.get("requiredInputs", []))
    for token, typ in schema["types"].items():
        name = token.rsplit(":", 1)[-1]
        lines += ["", f"#### `{name}`", "", _cell(typ.get("description", "")), ""]
        if "enum" in typ:
            lines += ["| value | meaning |", "| --- | --- |"]
            lines += [f"| `{e['value']}` | {_cell(e.get('description', ''))} |" for e in typ["enum"]]
        else:
            lines += _props_table(typ.get("properties", {}), typ.get("required", []))
    lines += ["", "### Outputs of `LambdaRds`", "", "| output | type | description |", "| --- | --- | --- |"]
    for key, prop in resource["properties"].items():
        lines.append(f"| `{key}` | {_type_of(prop)} | {_cell(prop.get('description', ''))} |")
    return "\n".join(lines) + "\n"


def splice(document: str, generated: str) -> str:
    """Replace the text between the BEGIN/END markers of ``document`` with ``generated``."""
    start, end = document.index(BEGIN) + len(BEGIN), document.index(END)
    return document[:start] + "\n" + generated + document[end:]
