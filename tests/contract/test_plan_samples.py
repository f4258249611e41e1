"""The report samples in docs/previewing.md are real plans of this repository's stacks (`make docs`)."""

from __future__ import annotations

import pytest

from tests.scripts import REPO, load_script

samples = load_script("gen_plan_samples")
PREVIEWING = REPO / "docs" / "previewing.md"


def test_committed_samples_equal_the_generated_ones() -> None:
    committed = PREVIEWING.read_text(encoding="utf-8")
    assert samples.render(PREVIEWING) == committed, "docs/previewing.md samples drifted: run `make docs`"


def test_every_sample_has_its_block_and_make_docs_writes_them() -> None:
    committed = PREVIEWING.read_text(encoding="utf-8")
    for name in samples.SAMPLES:
        assert committed.count(samples.begin(name)) == 1 and committed.count(samples.end(name)) == 1, name
    gen_docs = (REPO / "scripts" / "gen_docs.py").read_text(encoding="utf-8")
    assert "gen_plan_samples.render(previewing)" in gen_docs


def test_the_dev_sample_is_the_plan_as_printed() -> None:
    # The head line counts what the plan registers today (the hand-written sample said 32 when it was 40).
    text = samples.dev_sample()
    lines = text.splitlines()
    tree = lines[lines.index("Resources") + 1 : lines.index("", lines.index("Resources"))]
    registered = sum(1 for line in tree if not line.endswith("[component]"))  # components are not counted
    first = lines[0]
    assert first == f"lambda-rds plan: stack dev ({registered} resources, source: program under mocks)"
    assert text.rstrip().endswith("Result: PASS (no failed reachability check, no mandatory policy violated)")


def test_the_change_sample_shows_the_replacement_and_its_finding() -> None:
    text = samples.changes_sample()
    assert "replace  rds.Instance                 app-db  [dbName]" in text
    assert "critical MANDATORY LR.DATA-AT-RISK    app-db" in text


def test_splice_refuses_a_missing_marker() -> None:
    with pytest.raises(ValueError, match="no marker"):
        samples.splice("no markers here\n", {"dev": "x"})
    block = f"a\n{samples.begin('dev')}\nold\n{samples.end('dev')}\nb\n"
    assert samples.splice(block, {"dev": "new\n"}) == (
        f"a\n{samples.begin('dev')}\n```text\nnew\n```\n{samples.end('dev')}\nb\n"
    )
