"""The topology picture: a mermaid flowchart in the markdown report (the failing hop drawn red) and one
ASCII line per path in the text report, built from the analysis model for raw pulumi_aws programs too."""

from __future__ import annotations

import re

import pytest
from lambda_rds.analysis import diagram
from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.build import build_model
from lambda_rds.commands.cli import main

from tests.analysis.conftest import PROGRAMS, REPO

# pitfall program -> (the failing verdict's summary drawn on the red hop)
HOPS = {
    "public_function": "function is in public subnets",
    "db_other_vpc": "cannot open TCP 5432",
    "secret_without_egress": "cannot reach secretsmanager",
}


def plan(capsys: pytest.CaptureFixture[str], fmt: str, program: str, stack: str = "test") -> str:
    main(["plan", "--format", fmt, "--program", program, "--stack", stack])
    return capsys.readouterr().out


def mermaid_block(markdown: str) -> str:
    found = re.search(r"```mermaid\n(.*?)\n```", markdown, re.S)
    assert found, "no mermaid diagram in the report"
    return found.group(1)


def edges(block: str) -> list[tuple[str, str, str]]:
    return re.findall(r'^  (\w+) -->\|"(.*?)"\| (\w+)$', block, re.M)


@pytest.mark.parametrize("name", sorted(HOPS))
def test_pitfall_report_draws_the_failing_hop_red(capsys: pytest.CaptureFixture[str], name: str) -> None:
    block = mermaid_block(plan(capsys, "markdown", str(PROGRAMS / name)))
    assert block.startswith("flowchart LR")
    all_edges = edges(block)
    red = [int(i) for i in re.findall(r"^  linkStyle (\d+) stroke:#d00", block, re.M)]
    assert len(red) == 1, block
    src, label, dst = all_edges[red[0]]
    assert label.startswith("❌") and HOPS[name] in label
    marked = re.search(r"^  class (\S+) fail$", block, re.M)
    assert marked and {src, dst} <= set(marked.group(1).split(","))
    # Every other hop is not failing.
    assert all(not lbl.startswith("❌") for i, (_, lbl, _) in enumerate(all_edges) if i != red[0])


def test_a_failing_check_that_is_no_hop_marks_its_subject(capsys: pytest.CaptureFixture[str]) -> None:
    block = mermaid_block(plan(capsys, "markdown", str(PROGRAMS / "concurrency")))
    assert "linkStyle" not in block  # every hop passes
    marked = re.search(r"^  class (\S+) fail$", block, re.M)
    assert marked and any(n.startswith("db_") for n in marked.group(1).split(","))


def test_component_stack_picture_has_proxy_and_endpoint_egress(capsys: pytest.CaptureFixture[str]) -> None:
    block = mermaid_block(plan(capsys, "markdown", str(REPO), "staging"))
    pairs = {(s, d) for s, _, d in edges(block)}
    assert ("fn_app_fn_app", "sg_app_fn_app") in pairs
    assert ("sg_app_fn_app", "proxy_app_proxy") in pairs and ("proxy_app_proxy", "db_app_db") in pairs
    assert ("sg_app_fn_app", "egress_endpoints") in pairs
    assert "class " not in block  # nothing fails
    # The launcher runs outside the VPC: no security group, no database hop without a verdict.
    assert not [p for p in pairs if p[0] in ("fn_app_launcher", "sg_app_launcher")]


def test_text_report_keeps_one_ascii_line_per_path(capsys: pytest.CaptureFixture[str]) -> None:
    text = plan(capsys, "text", str(PROGRAMS / "db_other_vpc"))
    section = text.split("Topology\n", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"fn \[SG .*\] -FAIL-> db", section), section


def test_labels_cannot_break_the_diagram() -> None:
    assert diagram._label('a "b" <c>') == "a #quot;b#quot; #lt;c#gt;"
    model = build_model([])
    assert diagram.mermaid(model, []) == ""
    assert diagram.ascii_lines(model, [Verdict("x", "y", None, "fail", "z")]) == []
