"""A consumer who brings their own functions gets no example schema: migrations only when asked for, or
when the example app itself is deployed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lambda_rds.settings import resolve

from .conftest import Built

ROOT = Path(__file__).resolve().parents[2]
OWN_CODE = str(ROOT / "examples" / "python-consumer" / "extra")


def test_own_functions_get_no_migrations() -> None:
    assert resolve({"functions": {"api": {"code": OWN_CODE}}}).database.migrations_dir is None
    assert resolve({"functions": {}}).database.migrations_dir is None


def test_the_example_app_brings_its_migrations() -> None:
    assert resolve({}).database.migrations_dir == ROOT / "functions" / "app" / "migrations"
    assert resolve({"functions": {"app": {"memory_mb": 512}}}).database.migrations_dir is not None


def test_asked_for_migrations_are_kept(tmp_path: Path) -> None:
    (tmp_path / "0001_init.sql").write_text("CREATE TABLE t (id int);\n")
    s = resolve({"functions": {"api": {"code": OWN_CODE}}, "database": {"migrations_dir": str(tmp_path)}})
    assert s.database.migrations_dir == tmp_path


def test_bootstrap_payload_of_a_consumer_carries_no_items_table(build: Callable[..., Built]) -> None:
    b = build({"functions": {"api": {"code": OWN_CODE}}, "database": {"protect": False}})
    payloads = [r.inputs["input"] for r in b.all("aws:lambda/invocation:Invocation")]
    assert payloads and all('"migrations": []' in str(p) for p in payloads)
