"""Review of issue 21's "no secret printed": a connection URL pasted into DB_HOST or DB_READ_HOST carries
``user:password@``; doctor prints the host when it matches nothing (stderr) and in its report (stdout).
The password must appear in neither, in either format."""

from __future__ import annotations

from collections.abc import Callable

from lambda_rds.doctor.normalise.functions import without_credentials

from tests.doctor.moto_server import MotoServer, run_doctor
from tests.doctor.topology import Scenario

Make = Callable[..., Scenario]
PASSWORD = "Hunter2Secret"


def test_a_url_with_a_password_in_db_host_is_never_printed(moto: MotoServer, scenario: Make) -> None:
    s = scenario("urlw", env_overrides={"DB_HOST": f"postgresql://app:{PASSWORD}@db.example.com:5432/app"})
    for fmt in ("json", "text"):
        result = run_doctor(moto.url, "--function", s.function, "--format", fmt)
        assert result.code == 2, result.stderr  # DB_HOST matches nothing: the usage error names it
        assert "db.example.com" in result.stderr
        assert PASSWORD not in result.stdout + result.stderr


def test_a_url_with_a_password_in_db_read_host_is_never_printed(moto: MotoServer, scenario: Make) -> None:
    s = scenario("urlr", env_overrides={"DB_READ_HOST": f"postgresql://app:{PASSWORD}@r.example.com/app"})
    for fmt in ("json", "text"):
        result = run_doctor(moto.url, "--function", s.function, "--format", fmt)
        assert result.code in (0, 1), result.stderr
        assert PASSWORD not in result.stdout + result.stderr


def test_credentials_are_cut_from_each_host_and_plain_hosts_are_kept() -> None:
    assert without_credentials("db.example.com") == "db.example.com"
    assert without_credentials(f"app:{PASSWORD}@a.example.com, mysql://u:p@b.example.com") == (
        "<credentials removed>@a.example.com, mysql://<credentials removed>@b.example.com"
    )
