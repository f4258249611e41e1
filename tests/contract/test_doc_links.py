"""Every relative link in the README and docs/ (and the examples' READMEs) reaches a file that exists and,
with a `#fragment`, a heading of that file as GitHub anchors it. The README sends readers to docs/ for
everything past the first read (issue 19), so a moved or renamed section must not leave a dead link."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^ *(```|~~~)")
INLINE_CODE = re.compile(r"`+[^`]*`+")
# [text](target) and ![alt](target), the target up to whitespace or `)`, an optional "title" after it.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def documents() -> list[Path]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return docs + sorted((ROOT / "examples").rglob("README.md"))


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, as written."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        opener = FENCE.match(line)
        if opener:
            if fence is None:
                fence = opener.group(1)
            elif opener.group(1) == fence:
                fence = None
            continue
        if fence is None:
            out.append((n, line))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), each
    space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading anchors by its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub gives ``path``: its headings (repeats numbered -1, -2, ...) and `<a id>` tags."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    text = path.read_text(encoding="utf-8")
    for _, line in prose_lines(text):
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ANCHOR.findall(INLINE_CODE.sub("``", line)))
    return found


def broken_links(doc: Path, root: Path = ROOT) -> list[str]:
    problems: list[str] = []
    for n, line in prose_lines(doc.read_text(encoding="utf-8")):
        for target in LINK.findall(INLINE_CODE.sub("``", line)):  # a `[x](y)` in code is no link
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # https:, mailto: ...: not a file of this repository
            raw_path, _, fragment = target.partition("#")
            path = doc if not raw_path else (doc.parent / unquote(raw_path)).resolve()
            where = f"{doc.relative_to(root)}:{n}: ({target})"
            if not path.exists():
                problems.append(f"{where} {path} does not exist")
            elif fragment and path.suffix == ".md" and unquote(fragment) not in anchors(path):
                problems.append(f"{where} {path.name} has no heading anchored #{fragment}")
    return problems


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Rotation of the app secret (`auth: secret`)", "rotation-of-the-app-secret-auth-secret"),
        ("Previewing a change in a pull request", "previewing-a-change-in-a-pull-request"),
        ("1. The Pulumi CLI and state", "1-the-pulumi-cli-and-state"),
        ("Before the first `up`: check the account's concurrency",
         "before-the-first-up-check-the-accounts-concurrency"),
        ("`nat_gateways: regional`", "nat_gateways-regional"),
        ("Inputs of `LambdaRds`", "inputs-of-lambdards"),
    ],
)  # fmt: skip
def test_slugs_follow_githubs_rule(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_dead_file_or_anchor_is_reported(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Title\n\n## A section\n\n```\n# not a heading\n```\n")
    doc = tmp_path / "doc.md"
    doc.write_text(
        "[ok](other.md#a-section) [ok too](#here) `[code](nowhere.md)` [web](https://example.invalid/x)\n\n"
        "## Here\n\n[gone](missing.md) [bad anchor](other.md#not-a-heading) [self](#nowhere)\n"
        "```\n[in a fence](missing-too.md)\n```\n"
    )
    problems = broken_links(doc, tmp_path)
    assert len(problems) == 3, problems
    assert "missing.md does not exist" in problems[0]
    assert "#not-a-heading" in problems[1] and "#nowhere" in problems[2]


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    assert broken_links(doc) == []


def test_the_readme_reads_in_the_order_a_newcomer_needs() -> None:
    """Issue 19: what it is, what you need, quick start, first deploy, consuming it, previewing, then links;
    the internals live in docs/ (the README stays a first read)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = [line[3:] for _, line in prose_lines(readme) if line.startswith("## ")]
    assert sections == [
        "What you need",
        "Quick start",
        "First deploy",
        "Consuming it from other projects",
        "Previewing a change in a pull request",
        "Documentation",
    ]
    assert len(readme.splitlines()) <= 300
    for page in ("inside-the-function", "reference", "architecture", "deploying", "previewing", "doctor"):
        assert f"](docs/{page}.md)" in readme, page
