"""Review of issue 21's fixes: commands a user would paste, checked for what AWS and the shell would refuse.

- A default route left as a blackhole (its NAT gateway deleted) still holds 0.0.0.0/0: CreateRoute answers
  RouteAlreadyExists, so the fix is ReplaceRoute (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/
  API_ReplaceRoute.html: "Replaces an existing route within a route table").
- Placeholders are quoted: an unquoted ``<new quota>`` is a shell redirection, not a value.
"""

from __future__ import annotations

import shlex

from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.views import Model
from lambda_rds.doctor import normalise
from lambda_rds.doctor.fixes import FixContext, commands_for
from lambda_rds.doctor.quota_reads import EniHeadroom


def _model(default_route_state: str | None) -> tuple[Model, str]:
    subnet = normalise.subnet(
        {
            "SubnetId": "subnet-a",
            "VpcId": "vpc-1",
            "CidrBlock": "10.0.1.0/24",
            "AvailabilityZone": "us-east-1a",
        }
    )
    routes: list[dict[str, str]] = [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]
    if default_route_state is not None:
        routes.append(
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0gone", "State": default_route_state}
        )
    table, _notes = normalise.route_table(
        {
            "RouteTableId": "rtb-1",
            "VpcId": "vpc-1",
            "Routes": routes,
            "Associations": [{"RouteTableAssociationId": "rtbassoc-1", "SubnetId": "subnet-a"}],
        }
    )
    return build_model([subnet, *table]), "route 0.0.0.0/0 from rtb-1 to a NAT gateway (a regional one)"


def test_a_blackhole_default_route_is_replaced_not_created() -> None:
    model, fix = _model("blackhole")
    cmds = [c for c in commands_for(fix, FixContext(model, None)) if not c.startswith("#")]
    assert cmds and cmds[-1].startswith("aws ec2 replace-route --route-table-id rtb-1 "), cmds
    assert "--destination-cidr-block 0.0.0.0/0" in cmds[-1]


def test_a_table_with_no_default_route_gets_create_route() -> None:
    model, fix = _model(None)
    cmds = [c for c in commands_for(fix, FixContext(model, None)) if not c.startswith("#")]
    assert cmds and cmds[-1].startswith("aws ec2 create-route --route-table-id rtb-1 "), cmds


def test_the_quota_increase_placeholder_is_quoted_for_the_shell() -> None:
    note = EniHeadroom("us-east-1", 4600, True, 5000, True).note()
    command = note.split("request an increase: ", 1)[1]
    words = shlex.split(command)
    assert words[:2] == ["aws", "service-quotas"]
    assert "<" not in command.replace("'<", "").replace(">'", ""), command
    assert words[words.index("--desired-value") + 1].startswith("<")
