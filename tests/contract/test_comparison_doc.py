"""docs/comparison.md cannot drift from the code: in its feature table, every `code` span of the lambda-rds
column names an argument of `LambdaRds` (components/lambda_rds/args.py), as `name`, `section.name` or
`name: value[, value...]`, and a value given for an enum, bool or int argument is one it takes. A renamed or
removed argument, or an enum value that no longer exists, fails here before the page misleads anyone.
The page's own bookkeeping is checked too: every peer column names its source, every footnote used is
defined (and the other way round), and a "?" cell has an Unverified section to be listed in."""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Any, get_args, get_origin

from lambda_rds.args import LambdaRdsArgs
from typing_extensions import get_type_hints, is_typeddict

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "comparison.md"
OURS = "lambda-rds"

CODE_SPAN = re.compile(r"`([^`]+)`")
# `name`, `section.name`, `name: value` or `name: a, b, c`; anything else in our column is no argument.
ARGUMENT = re.compile(r"^(?P<path>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)(?::\s*(?P<values>\S.*))?$")
FOOTNOTE_REF = re.compile(r"\[\^([\w-]+)\](?!:)")
FOOTNOTE_DEF = re.compile(r"^\[\^([\w-]+)\]:", re.M)
WILDCARD = "*"


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (a `\\|` inside a cell is no separator)."""
    body = line.strip().removeprefix("|").removesuffix("|")
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", body)]


def _tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            current.append(_cells(line))
        elif current:
            tables.append(current)
            current = []
    return tables


def our_cells(text: str) -> list[tuple[str, str]]:
    """(feature, lambda-rds cell) for every body row of every table with a lambda-rds column."""
    out: list[tuple[str, str]] = []
    for header, _separator, *rows in (t for t in _tables(text) if len(t) >= 2):
        if OURS not in header:
            continue
        column = header.index(OURS)
        out.extend((row[0], row[column] if column < len(row) else "") for row in rows)
    return out


def argument_tree() -> dict[str, Any]:
    """Every argument path of `LambdaRds` and its annotation: `engine`, `network.nat_type`,
    `functions.*.url` (a dict of sections by name takes any name in the `*` place)."""
    tree: dict[str, Any] = {}

    def walk(typed_dict: Any, prefix: str) -> None:
        for name, annotation in get_type_hints(typed_dict).items():
            path = f"{prefix}{name}"
            tree[path] = annotation
            if is_typeddict(annotation):
                walk(annotation, f"{path}.")
            elif get_origin(annotation) is dict and is_typeddict(get_args(annotation)[-1]):
                walk(get_args(annotation)[-1], f"{path}.{WILDCARD}.")

    walk(LambdaRdsArgs, "")
    return tree


def _resolve(path: str, tree: dict[str, Any]) -> tuple[str | None, str]:
    """The tree path `path` names, or None with the reason."""
    if path in tree:
        return path, ""
    parts = path.split(".")
    for known in tree:
        pattern = known.split(".")
        if len(pattern) == len(parts) and all(
            p in (WILDCARD, q) for p, q in zip(pattern, parts, strict=True)
        ):
            return known, ""
    if "." not in path:
        matches = sorted(known for known in tree if known.rsplit(".", 1)[-1] == path)
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, f"is ambiguous ({', '.join(matches)}): write the section"
    return None, "is no argument of LambdaRds (components/lambda_rds/args.py)"


def _allowed(annotation: Any, value: str) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return value in {member.value for member in annotation}
    if annotation is bool:
        return value in {"true", "false"}
    if annotation is int:
        return re.fullmatch(r"-?\d+", value) is not None
    return True  # a string, list or mapping: any example value reads as one


def problems(text: str) -> list[str]:
    tree = argument_tree()
    found: list[str] = []
    for feature, cell in our_cells(text):
        for span in CODE_SPAN.findall(cell):
            where = f"{feature!r}: `{span}`"
            match = ARGUMENT.match(span.strip())
            if not match:
                found.append(f"{where} is no argument (`name`, `name: value`): drop the backticks")
                continue
            path, why = _resolve(match["path"], tree)
            if path is None:
                found.append(f"{where}: {match['path']} {why}")
                continue
            for value in (v.strip() for v in (match["values"] or "").split(",") if v.strip()):
                if not _allowed(tree[path], value):
                    found.append(f"{where}: {path} does not take {value!r}")
    return found


def test_the_table_cites_arguments_in_every_form() -> None:
    """Guards against a vacuous pass: a reshaped table whose lambda-rds column is no longer found."""
    spans = [s for _, cell in our_cells(DOC.read_text(encoding="utf-8")) for s in CODE_SPAN.findall(cell)]
    assert len(spans) >= 15, spans
    assert any("." in s for s in spans) and any(":" in s for s in spans), spans


def test_every_argument_the_lambda_rds_column_cites_exists() -> None:
    assert problems(DOC.read_text(encoding="utf-8")) == []


def test_the_checker_refuses_what_args_py_does_not_take() -> None:
    doc = "\n".join(
        [
            "| Feature | lambda-rds | SST |",
            "| --- | --- | --- |",
            '| typo | `nat_gatways: single` | `nat: "ec2"` |',
            "| enum value | `network.nat_type: fck-nat` | no |",
            "| ambiguous | `log_retention_days` | no |",
            "| not an argument | `rds-db:connect` | no |",
            "| bool | `database.protect: maybe` | no |",
            "| good | `network.nat_type: instance`, `nat_gateways: per_az, regional`, `proxy` | yes |",
            "| wildcard | `functions.api.url: true`, `functions.api.nope` | yes |",
        ]
    )
    found = problems(doc)
    assert len(found) == 6, found
    for needle in (
        "nat_gatways",
        "'fck-nat'",
        "ambiguous",
        "rds-db:connect",
        "'maybe'",
        "functions.api.nope",
    ):
        assert any(needle in problem for problem in found), (needle, found)


def test_every_peer_column_names_its_source_and_footnotes_match() -> None:
    text = DOC.read_text(encoding="utf-8")
    header = next(t[0] for t in _tables(text) if OURS in t[0])
    peers = header[header.index(OURS) + 1 :]
    assert len(peers) == 4, peers
    for peer in peers:
        assert FOOTNOTE_REF.search(peer), f"{peer}: no source footnote"
    used, defined = set(FOOTNOTE_REF.findall(text)), set(FOOTNOTE_DEF.findall(text))
    assert used == defined, (used - defined, defined - used)


def test_a_question_mark_cell_has_an_unverified_section() -> None:
    text = DOC.read_text(encoding="utf-8")
    unknown = [
        row
        for t in _tables(text)
        for row in t[2:]
        if any(cell.startswith("?") or ": ?" in cell for cell in row)
    ]
    if unknown:
        section = text.split("## Unverified", 1)
        assert len(section) == 2 and section[1].strip().startswith("-"), "the ? cells need an Unverified list"
