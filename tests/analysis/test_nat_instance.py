"""The analysis knows NAT instances (issue 22): a `secret`-auth function reaches Secrets Manager through
the instance's fixed interface, and a broken variant fails naming the missing piece (no route, source/
destination check on, security group closed, no Elastic IP, no instance); the security policies cover the
instance (IMDSv2, encrypted root, no public IP anywhere but the NAT interface)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from lambda_rds.analysis.checks.policies import Context
from lambda_rds.analysis.checks.policies import evaluate as policies
from lambda_rds.analysis.checks.reachability import Verdict, evaluate
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.values import as_mapping

from tests.unit.conftest import build_component
from tests.unit.test_aws_rules_matrix import analysis_resources

ENI = "aws:ec2/networkInterface:NetworkInterface"
INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"
ROUTE = "aws:ec2/route:Route"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DEV = Context("dev", production=False)
PROD = Context("prod", production=True)
_BUILT: dict[str, list[Resource]] = {}


def _resources(mode: str) -> list[Resource]:
    if mode not in _BUILT:  # one build per mode for the module: the mocks take seconds
        cfg = {
            "egress": "nat",
            "auth": "secret",
            "nat_gateways": mode,
            "network": {"nat_type": "instance"},
            "database": {"protect": False},
        }
        _BUILT[mode] = analysis_resources(build_component(cfg))
    return list(_BUILT[mode])


def _secret_reach(resources: list[Resource]) -> Verdict:
    found = [
        v
        for v in evaluate(build_model(resources))
        if v.id == "reach.aws-api" and v.subject == "t-fn-app" and v.target == "secretsmanager"
    ]
    assert len(found) == 1
    return found[0]


def _set(resources: list[Resource], type_token: str, prefix: str, **values: Any) -> list[Resource]:
    """The resources with ``values`` set on every one of that type whose name starts with ``prefix``."""
    out = []
    for r in resources:
        if r.type == type_token and r.name.startswith(prefix):
            r = replace(r, inputs={**r.inputs, **values}, outputs={**r.outputs, **values})
        out.append(r)
    return out


@pytest.mark.parametrize("mode", ["single", "per_az"])
def test_secret_auth_function_reaches_secrets_manager_through_the_nat_instance(mode: str) -> None:
    v = _secret_reach(_resources(mode))
    assert v.status == "pass", v.missing
    assert v.summary == "reaches secretsmanager via NAT instance"
    text = " ".join(v.evidence)
    assert "NAT instance interface t-nat-eni-0" in text and "source/destination check off" in text
    if mode == "per_az":
        assert "t-nat-eni-1" in text  # the second AZ's subnet leaves through its own instance
    else:
        assert "t-nat-eni-1" not in text


def test_no_route_to_the_interface_is_named() -> None:
    res = [r for r in _resources("per_az") if not (r.type == ROUTE and r.name == "t-private-default-1")]
    v = _secret_reach(res)
    assert v.status == "fail"
    assert any("t-private-1" in m and "no default route (0.0.0.0/0)" in m for m in v.missing)


def test_source_dest_check_on_is_named_on_the_interface_and_on_the_instance() -> None:
    v = _secret_reach(_set(_resources("single"), ENI, "t-nat-eni-", sourceDestCheck=True))
    assert v.status == "fail"
    assert any("source/destination check is on for t-nat-eni-0" in m for m in v.missing)
    assert any("source_dest_check=False on t-nat-eni-0" in f for f in v.fixes)
    res = _set(_resources("single"), INSTANCE, "t-nat-instance-", sourceDestCheck=True)
    v = _secret_reach(res)
    assert v.status == "fail"
    assert any("source/destination check is on for instance t-nat-instance-0" in m for m in v.missing)


def test_source_dest_check_left_unset_counts_as_on() -> None:
    res = []
    for r in _resources("single"):
        if r.type == ENI:
            r = replace(
                r,
                inputs={k: v for k, v in r.inputs.items() if k != "sourceDestCheck"},
                outputs={k: v for k, v in r.outputs.items() if k != "sourceDestCheck"},
            )
        res.append(r)
    assert _secret_reach(res).status == "fail"


def test_closed_security_group_is_named() -> None:
    res = [r for r in _resources("per_az") if not (r.type == INGRESS and r.name.startswith("t-nat-from-"))]
    v = _secret_reach(res)
    assert v.status == "fail"
    assert any("security groups of t-nat-eni-0 admit no tcp 443 from 10.0.0.0/20" in m for m in v.missing)


def test_missing_elastic_ip_and_missing_instance_are_named() -> None:
    res = [r for r in _resources("single") if not (r.type == EIP and r.name.startswith("t-nat-instance-eip"))]
    v = _secret_reach(res)
    assert v.status == "fail" and any("has no Elastic IP" in m for m in v.missing)
    res = [r for r in _resources("single") if r.type != INSTANCE]
    v = _secret_reach(res)
    assert v.status == "fail" and any("no instance is attached to t-nat-eni-0" in m for m in v.missing)


def _policy_messages(resources: list[Resource], ctx: Context = DEV) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in policies(build_model(resources), ctx):
        out.setdefault(f.policy, []).append(f.message)
    return out


def test_built_nat_instances_pass_the_instance_policies() -> None:
    found = _policy_messages(_resources("per_az"), PROD)
    assert not {"EC2.8", "EC2.3", "LR.PUBLIC-IP-NAT-ONLY", "LR.NAT-SAME-AZ"} & set(found)


def test_policies_catch_imdsv1_unencrypted_root_and_a_stray_public_ip() -> None:
    res = _set(
        _resources("single"),
        INSTANCE,
        "t-nat-instance-",
        metadataOptions={"httpTokens": "optional"},
        rootBlockDevice={"encrypted": False, "volumeType": "gp3"},
        associatePublicIpAddress=True,
    )
    found = _policy_messages(res)
    assert any("httpTokens is optional" in m for m in found["EC2.8"])
    assert any("root volume not encrypted" in m for m in found["EC2.3"])
    assert any("associatePublicIpAddress is on" in m for m in found["LR.PUBLIC-IP-NAT-ONLY"])


def test_single_nat_instance_is_flagged_for_the_other_az_in_prod() -> None:
    found = _policy_messages(_resources("single"), PROD)
    assert any("to NAT instance t-nat-eni-0" in m and "'per_az'" in m for m in found["LR.NAT-SAME-AZ"])


def test_an_elastic_ip_off_the_nat_interface_is_flagged() -> None:
    res = _set(_resources("single"), EIP, "t-nat-instance-eip-", instance="i-0abc")
    assert any(
        "associated with an instance directly" in m for m in _policy_messages(res)["LR.PUBLIC-IP-NAT-ONLY"]
    )
    # The route moved away from the interface: its address is no longer a NAT's.
    res = [
        r for r in _resources("single") if not (r.type == ROUTE and r.name.startswith("t-private-default-"))
    ]
    found = _policy_messages(res)["LR.PUBLIC-IP-NAT-ONLY"]
    assert any("not a NAT instance's" in m for m in found)


# ---- review (issue 22): deployed-state outputs and the provider's own handling ---------------------------
LT = "aws:ec2/launchTemplate:LaunchTemplate"


def _edit(resources: list[Resource], type_token: str, fn: Any) -> list[Resource]:
    return [fn(r) if r.type == type_token else r for r in resources]


def _without(r: Resource, *keys: str) -> Resource:
    return replace(
        r,
        inputs={k: v for k, v in r.inputs.items() if k not in keys},
        outputs={k: v for k, v in r.outputs.items() if k not in keys},
    )


def _legacy_block(r: Resource) -> Resource:
    """The instance as the fixed component builds it: the interface through `network_interface` (device 0),
    no source_dest_check of its own."""
    eni = as_mapping(r.get("primaryNetworkInterface")).get("networkInterfaceId") or as_mapping(
        (r.get("networkInterfaces") or [{}])[0]
    ).get("networkInterfaceId")
    r = _without(r, "primaryNetworkInterface", "sourceDestCheck")
    block = [{"deviceIndex": 0, "networkInterfaceId": eni, "deleteOnTermination": False}]
    return replace(r, inputs={**r.inputs, "networkInterfaces": block})


def test_unset_check_on_an_instance_with_the_network_interface_block_follows_the_interface() -> None:
    # The provider suppresses the instance's source_dest_check diff and never calls
    # ModifyInstanceAttribute when the `network_interface` block is set: the interface's value rules.
    res = _edit(_resources("single"), INSTANCE, _legacy_block)
    assert _secret_reach(res).status == "pass"


def test_unset_check_with_primary_network_interface_counts_as_on() -> None:
    # With `primary_network_interface`, the provider's default (true) is applied at the next `up`
    # (terraform-provider-aws issue 44768): the check is on.
    def primary(r: Resource) -> Resource:
        eni = as_mapping(_legacy_block(r).inputs["networkInterfaces"][0])["networkInterfaceId"]
        r = _without(r, "networkInterfaces", "sourceDestCheck")
        return replace(r, inputs={**r.inputs, "primaryNetworkInterface": {"networkInterfaceId": eni}})

    v = _secret_reach(_edit(_resources("single"), INSTANCE, primary))
    assert v.status == "fail"
    assert any("source/destination check is on for instance t-nat-instance-0" in m for m in v.missing)
    # The fix is not "set source_dest_check=False on the instance", which the provider refuses there.
    assert not any("set source_dest_check=False on t-nat-instance-0" in f for f in v.fixes)
    assert any("network_interfaces (device_index 0)" in f for f in v.fixes)


def test_deployed_state_of_a_nat_instance_is_not_flagged_as_a_stray_public_ip() -> None:
    # After deployment the provider reads back what EC2 reports: the Elastic IP's association names the
    # instance the interface is attached to (aws_eip `instance`), and the instance's
    # associate_public_ip_address is true because its primary interface holds an address. Neither is a
    # public address of the instance's own.
    def deployed(r: Resource) -> Resource:
        if r.type == EIP and r.name.startswith("t-nat-instance-eip"):
            return replace(r, outputs={**r.outputs, "instance": "i-0123456789abcdef0"})
        if r.type == INSTANCE:
            return replace(r, outputs={**r.outputs, "associatePublicIpAddress": True})
        return r

    res = [deployed(r) for r in _resources("per_az")]
    assert "LR.PUBLIC-IP-NAT-ONLY" not in _policy_messages(res, PROD)


def test_root_encryption_is_read_from_the_launch_template() -> None:
    def no_root(r: Resource) -> Resource:
        return _without(r, "rootBlockDevice", "ebsBlockDevices")

    def template(encrypted: str) -> Any:
        def edit(r: Resource) -> Resource:
            bdm = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": encrypted, "volumeType": "gp3"}}]
            return replace(
                r,
                inputs={**r.inputs, "blockDeviceMappings": bdm},
                outputs={**r.outputs, "blockDeviceMappings": bdm},
            )

        return edit

    base = _edit(_resources("single"), INSTANCE, no_root)
    assert "EC2.3" not in _policy_messages(_edit(base, LT, template("true")))
    found = _policy_messages(_edit(base, LT, template("false")))
    assert any("root volume not encrypted" in m for m in found["EC2.3"])
