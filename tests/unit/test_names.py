"""Issue 9 defect 7: the component name flows into physical names AWS constrains (RDS identifiers are
lowercase with no '--', IAM role and Lambda function names at most 64 including auto-naming's 8
characters, layer names without dots). A name AWS cannot take is refused up front, naming the key, the
value, the pattern and the longest name that fits; the plan rule aws.names.pattern checks the result."""

from collections.abc import Callable

import pytest
from lambda_rds.rules import facts_names
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.names import check_names, derived_names
from lambda_rds.testing.mocks import RecordingMocks

from .conftest import Built


@pytest.mark.parametrize("name", ["My_App", "app--x", "app-", "1app", "app.x", "APP", ""])
def test_bad_component_names_are_refused_with_the_pattern(name: str) -> None:
    with pytest.raises(ConfigError) as err:
        check_names(name, resolve({}))
    assert err.value.key == "name"
    assert repr(name) in str(err.value) and facts_names.COMPONENT_NAME_PATTERN in str(err.value)


def test_the_longest_name_is_computed_from_the_settings() -> None:
    s = resolve({})
    # The Lambda-facing role `<name>-fn-api-role` + 8 random characters, or the bootstrap's, must fit 64.
    budget = 64 - len("-bootstrap-role") - facts_names.AUTONAME_SUFFIX_LEN
    check_names("a" * budget, s)
    with pytest.raises(ConfigError, match=rf"at most {budget} with these settings") as err:
        check_names("a" * (budget + 1), s)
    assert err.value.key == "name"
    # A long function name takes room from the component name: `<name>-fn-<fn>-role-xxxxxxx` <= 64.
    fn = "f" * 40
    s_long = resolve({"functions": {fn: {"code": "functions/app"}}})
    room = 64 - len(f"-fn-{fn}-role") - facts_names.AUTONAME_SUFFIX_LEN
    check_names("a" * room, s_long)
    with pytest.raises(ConfigError, match=rf"at most {room} with these settings .*IAM role name"):
        check_names("a" * (room + 1), s_long)


def test_every_derived_name_of_a_valid_name_is_valid() -> None:
    for cfg in ({}, {"proxy": True, "engine": "aurora-postgresql", "database": {"monitoring_interval": 60}}):
        s = resolve(cfg)
        for d in derived_names("orders-api", s):
            assert facts_names.RULES[d.kind].problem(d.name) is None, d


def test_a_security_group_prefix_is_refused() -> None:
    # CreateSecurityGroup: a group name can't start with sg- (and every group name starts with ours).
    with pytest.raises(ConfigError, match=r"must not start with 'sg-'") as err:
        check_names("sg-app", resolve({}))
    assert err.value.key == "name"


def test_component_refuses_a_bad_name_before_registering(build: Callable[..., Built]) -> None:
    mocks = RecordingMocks()
    with pytest.raises(ConfigError, match=r"^lambda-rds: name: 'Orders_API'"):
        build({}, name="Orders_API", mocks=mocks)
    assert mocks.resources == []
