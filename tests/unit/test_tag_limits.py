"""The user's `tags` are refused in settings where some service the component tags would refuse them
(issue 17, second independent review): too many (TagLimitExceeded on CreateSubnet/CreateTags past 50), a
reserved prefix, too long, or a character IAM, Lambda, RDS or CloudWatch Logs does not take. Each error
names `tags.<key>` (or `tags` for the count) and the limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.coerce import MAX_USER_TAGS, TAGS_PER_RESOURCE

from .conftest import Built


def _refused(tags: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        resolve({"tags": tags})
    return err.value


def _many(n: int) -> dict[str, str]:
    return {f"team-{i}": f"value-{i}" for i in range(n)}


def test_more_than_45_tags_are_refused_and_45_fill_a_subnet_to_aws_limit(
    build: Callable[..., Built],
) -> None:
    err = _refused(_many(46))
    assert err.key == "tags" and "46 tags" in str(err) and "at most 45" in str(err)
    assert f"{TAGS_PER_RESOURCE} tags per resource" in str(err)
    # 45 pass, and the program's most-tagged resources (the subnets: Name and lambda-rds:tier beside the
    # component's three) then carry exactly AWS's 50: the limit is the tightest that deploys.
    assert MAX_USER_TAGS == 45
    b = build({"egress": "nat", "tags": _many(45)})
    counts = {
        r.name: len(r.inputs["tags"]) for r in b.mocks.resources if isinstance(r.inputs.get("tags"), dict)
    }
    assert len(counts) > 10 and max(counts.values()) == TAGS_PER_RESOURCE
    assert {n for n, c in counts.items() if c == TAGS_PER_RESOURCE} == {
        r.name for r in b.all("aws:ec2/subnet:Subnet")
    }


@pytest.mark.parametrize(
    ("tags", "key", "says"),
    [
        ({"aws:team": "a"}, "tags.aws:team", "AWS reserves aws:"),
        ({"AWS:Team": "a"}, "tags.AWS:Team", "AWS reserves aws:"),  # any case
        ({"rds:owner": "a"}, "tags.rds:owner", "RDS refuses rds:"),
        ({"team": "aws:payments"}, "tags.team", "the value starts with 'aws:'"),
        ({"team": "rds:x"}, "tags.team", "the value starts with 'rds:'"),
        ({"lambda-rds:stack": "spoof"}, "tags.lambda-rds:stack", "the component's own"),
        ({"lambda-rds:owner": "me"}, "tags.lambda-rds:owner", "the component's own"),
    ],
)
def test_reserved_prefixes_are_refused_naming_the_key(tags: dict[str, str], key: str, says: str) -> None:
    err = _refused(tags)
    assert err.key == key and says in str(err)


def test_lengths_past_the_smallest_service_limit_are_refused() -> None:
    # EC2 keys take 127 characters, Secrets Manager values 255 (the others 128 and 256).
    resolve({"tags": {"k" * 127: "v" * 255}})
    err = _refused({"k" * 128: "v"})
    assert err.key == f"tags.{'k' * 128}" and "128 characters; at most 127" in str(err)
    err = _refused({"team": "v" * 256})
    assert err.key == "tags.team" and "256 characters; at most 255" in str(err)
    assert _refused({"": "v"}).key == "tags"


@pytest.mark.parametrize(
    ("tags", "key", "chars"),
    [
        ({"cost#center": "1"}, "tags.cost#center", "'#'"),
        ({"team": "a,b"}, "tags.team", "','"),
        ({"owner": "me&you!"}, "tags.owner", "'&', '!'"),
        ({"note": "line\nbreak"}, "tags.note", "'\\n'"),  # a control character, not a separator
        ({"mood": "\N{GRINNING FACE}"}, "tags.mood", "'\N{GRINNING FACE}'"),  # a symbol (So)
    ],
)
def test_characters_some_service_refuses_are_named(tags: dict[str, str], key: str, chars: str) -> None:
    err = _refused(tags)
    assert err.key == key and f"has {chars}," in str(err)
    assert "letters, digits, spaces and _ . : / = + - @" in str(err)


def test_what_every_service_takes_passes() -> None:
    tags = {
        "team": "payments",
        "Cost Center": "1234",
        "owner@corp": "a.b_c:d/e=f+g-h@i",
        "Équipe": "données",  # Unicode letters: EC2 and the \\p{L} of the others
        "環境": "本番",
        "empty": "",  # values may be empty (0 to 255)
        "Name": "mine",  # the component's own Name wins where it sets one
    }
    assert resolve({"tags": tags}).tags == tags
    # ... and one character outside them among all of these is found, and its key named.
    assert _refused({**tags, "x": "a;b"}).key == "tags.x"
