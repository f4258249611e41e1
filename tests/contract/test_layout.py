"""The house rules of docs/architecture.md, checked on the source: rooms by role with data flowing one way,
no import cycles, no private name imported across modules, a docstring atop every module, and pure rooms
that import no Pulumi."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "lambda_rds": REPO / "components" / "lambda_rds",
    "lambda_rds_runtime": REPO / "functions" / "lambda_rds_runtime",
}

# Which rooms a room may import (besides itself): the arrows of docs/architecture.md, nothing more. `args`
# (the public argument types, and the version) is the contract the face, settings and commands read.
ALLOWED: dict[str, set[str]] = {
    "face": {"args", "settings", "resources"},  # __init__, component
    "commands": {"face", "args", "settings", "testing", "analysis", "doctor", "rules"},
    "doctor": {"analysis", "rules"},
    "testing": set(),
    "resources": {"settings", "rules", "packaging"},
    "settings": {"args", "rules", "packaging"},
    "packaging": set(),
    "analysis": {"rules"},
    "rules": set(),
    "args": set(),
}
PURE = ("rules", "analysis")  # no Pulumi: tested directly, usable from the CrossGuard pack and the doctor


def modules(package: str) -> Iterator[tuple[str, Path]]:
    root = PACKAGES[package]
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        yield ".".join(p for p in rel.parts if p != "__init__"), path


def room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "lambda_rds":
        return None
    if len(parts) > 1 and parts[1] in ("args", "_version"):
        return "args"
    if len(parts) == 1 or parts[1] == "component":
        return "face"
    return parts[1]


def type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of the nodes inside `if TYPE_CHECKING:` blocks: imports for annotations only, never run."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return inside


def imports(path: Path, module: str) -> Iterator[tuple[str, str | None]]:
    """(module imported, name imported from it or None), absolute; relative imports resolved. Imports under
    `if TYPE_CHECKING:` are left out: they never run, so they make no runtime cycle."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(), str(path))
    skip = type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                yield base, alias.name


def known_modules() -> set[str]:
    return {m for package in PACKAGES for m, _ in modules(package)}


def edges(package: str) -> dict[str, set[str]]:
    """Module -> the package modules it imports (`from pkg import mod` counts as importing `pkg.mod`)."""
    known = known_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules(package):
        targets = graph.setdefault(module, set())
        for base, name in imports(path, module):
            if name and f"{base}.{name}" in known:
                targets.add(f"{base}.{name}")
            elif base in known:
                targets.add(base)
        targets.discard(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_import_cycles(package: str) -> None:
    assert cycles(edges(package)) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_private_name_is_imported_across_modules(package: str) -> None:
    known = known_modules()
    offenders = [
        f"{module} imports {base}.{name}"
        for module, path in modules(package)
        for base, name in imports(path, module)
        if name and name.startswith("_") and not name.startswith("__") and base in known and base != module
    ]
    assert offenders == []


def test_rooms_import_only_the_rooms_below_them() -> None:
    offenders = []
    for module, path in modules("lambda_rds"):
        here = room(module)
        assert here in ALLOWED, f"{module}: room {here!r} is not in docs/architecture.md"
        for base, name in imports(path, module):
            target = room(f"{base}.{name}" if name and f"{base}.{name}" in known_modules() else base)
            if target and target != here and target not in ALLOWED[here]:
                offenders.append(f"{module} ({here}) imports {base} ({target})")
    assert offenders == []


def test_the_room_check_notices_a_wrong_way_import() -> None:
    assert "commands" not in ALLOWED["resources"] and "resources" not in ALLOWED["analysis"]
    assert room("lambda_rds.commands.plan") == "commands" and room("lambda_rds.component") == "face"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_module_opens_with_a_one_line_docstring_of_its_job(package: str) -> None:
    offenders = []
    for module, path in modules(package):
        doc = (ast.get_docstring(ast.parse(path.read_text())) or "").strip()
        if not doc or "\n" in doc.split("\n\n")[0]:
            offenders.append(module)
    assert offenders == []


@pytest.mark.parametrize("pure", PURE)
def test_pure_rooms_import_no_pulumi(pure: str) -> None:
    offenders = [
        f"{module} imports {base}"
        for module, path in modules("lambda_rds")
        if room(module) == pure
        for base, _ in imports(path, module)
        if base.split(".")[0] in ("pulumi", "pulumi_aws", "pulumi_random", "pulumi_policy")
    ]
    assert offenders == []
