"""Under anyone's Pulumi mocks the component never runs pip and never downloads: packaging knows on its
own (no LAMBDA_RDS_PACKAGING needed), and says so without an absolute local path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from lambda_rds.packaging import layer as layer_mod
from lambda_rds.testing.mocks import run_with_mocks


def _forbid(*_: Any, **__: Any) -> None:
    raise AssertionError("packaging reached for pip or the network under mocks")


def test_detects_mocks_only_while_they_are_installed() -> None:
    seen: dict[str, bool] = {}

    def program() -> None:
        seen["inside"] = layer_mod.under_pulumi_mocks()

    run_with_mocks(program)
    assert seen["inside"] is True
    pulumi.runtime.settings.configure(pulumi.runtime.settings.Settings(project="p", stack="s"))
    assert layer_mod.under_pulumi_mocks() is False


def test_component_under_mocks_builds_a_placeholder_layer_without_pip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert "LAMBDA_RDS_PACKAGING" not in __import__("os").environ
    monkeypatch.setattr(layer_mod, "install_requirements", _forbid)
    monkeypatch.setattr(layer_mod.ca, "layer_ca_bundle", _forbid)
    from lambda_rds.component import LambdaRds

    mocks = run_with_mocks(lambda: LambdaRds("app", {"functions": {}}))
    layers = mocks.by_type("aws:lambda/layerVersion:LayerVersion")
    assert layers, "no layer registered"
    for layer in layers:
        assert Path(layer.inputs["code"].path).name.startswith("placeholder-")
    note = layer_mod._placeholder(  # the note a plan and `pulumi.log` print
        layer_mod.LayerSpec(requirements=(), runtime="python3.12", architecture="arm64"), "0" * 64, tmp_path
    ).note
    assert str(tmp_path) not in note and "/work" not in note and not note.startswith("/")


def test_plan_says_it_once_without_a_local_path(tmp_path: Path) -> None:
    from lambda_rds.commands.capture import capture

    program = tmp_path / "p"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (program / "handler.py").write_text("def handler(event, context):\n    return None\n")  # code: '.'
    (program / "__main__.py").write_text(
        "from lambda_rds import LambdaRds\n"
        "LambdaRds('app', {'functions': {'a': {'code': '.', 'runtime': 'python3.13'},"
        " 'b': {'code': '.', 'architecture': 'x86_64'}}, 'database': {'protect': False}})\n"
    )
    messages = [m for m in capture(program, "dev").messages if "not built" in m]
    assert len(messages) == 1, messages
    assert "python3.12/arm64" in messages[0] and "python3.13/arm64" in messages[0]
    assert str(tmp_path) not in messages[0] and "/work/" not in messages[0] and "/root/" not in messages[0]
