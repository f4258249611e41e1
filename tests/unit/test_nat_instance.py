"""NAT instances (issue 22): `network.nat_type: instance` builds, per NAT, a fixed interface with source/dest
check off and an Elastic IP in the AZ's public subnet, an instance owning it as device 0 (IMDSv2 only,
encrypted gp3 root, no key pair, image from AWS's public SSM parameter), one security group admitting the
private subnets on 443; the private routes point at the interfaces. Bad input is refused before any
resource exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from lambda_rds.rules import nat_instance as rules
from lambda_rds.settings import ConfigError, resolve

from .conftest import Built
from .test_aws_rules_matrix import aws_violations

ENI = "aws:ec2/networkInterface:NetworkInterface"
INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
NAT_GW = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def _cfg(mode: str = "per_az", az_count: int = 2, **network: Any) -> dict[str, Any]:
    return {
        "egress": "nat",
        "auth": "secret",
        "nat_gateways": mode,
        "az_count": az_count,
        "network": {"nat_type": "instance", **network},
        "database": {"protect": False},
    }


def _by_index(b: Built, type_token: str, prefix: str) -> list[Any]:
    found = [r for r in b.all(type_token) if r.name.startswith(prefix)]
    return sorted(found, key=lambda r: int(r.name.rsplit("-", 1)[1]))


@pytest.mark.parametrize(("mode", "az_count", "nats"), [("per_az", 2, 2), ("per_az", 3, 3), ("single", 3, 1)])
def test_one_nat_instance_per_nat_and_routes_target_its_interface(
    build: Callable[..., Built], mode: str, az_count: int, nats: int
) -> None:
    b = build(_cfg(mode, az_count))
    assert b.all(NAT_GW) == []
    enis = _by_index(b, ENI, "t-nat-eni-")
    instances = _by_index(b, INSTANCE, "t-nat-instance-")
    eips = _by_index(b, EIP, "t-nat-instance-eip-")
    publics = _by_index(b, SUBNET, "t-public-")
    assert (len(enis), len(instances), len(eips), len(publics)) == (nats, nats, nats, nats)
    zones = [p.inputs["availabilityZone"] for p in publics]
    assert len(set(zones)) == nats  # one NAT per AZ, each in its own AZ's public subnet
    for i in range(nats):
        assert enis[i].inputs["subnetId"] == publics[i].id
        assert enis[i].inputs["sourceDestCheck"] is False
        assert eips[i].inputs["networkInterface"] == enis[i].id
        assert eips[i].inputs["domain"] == "vpc"
        assert instances[i].inputs["networkInterfaces"] == [
            {"deviceIndex": 0, "networkInterfaceId": enis[i].id, "deleteOnTermination": False}
        ]
    routes = _by_index(b, ROUTE, "t-private-default-")
    assert len(routes) == az_count
    for i, route in enumerate(routes):
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert "natGatewayId" not in route.inputs
        assert route.inputs["networkInterfaceId"] == enis[i if nats > 1 else 0].id


def test_every_instance_property(build: Callable[..., Built]) -> None:
    b = build(_cfg())
    template = b.one(LT)
    assert template.inputs["imageId"] == (
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    )
    for inst in _by_index(b, INSTANCE, "t-nat-instance-"):
        i = inst.inputs
        assert i["instanceType"] == "t4g.nano"
        assert i["launchTemplate"] == {"id": template.id, "version": "$Default"}
        assert "ami" not in i  # never a hard-coded image id
        assert i["metadataOptions"]["httpTokens"] == "required"
        assert i["metadataOptions"]["httpEndpoint"] == "enabled"
        assert i["metadataOptions"]["httpPutResponseHopLimit"] == 1
        assert "rootBlockDevice" not in i  # in the launch template (see the review tests below)
        assert "sourceDestCheck" not in i  # the interface's (see the review tests below)
        assert i["maintenanceOptions"] == {"autoRecovery": "default"}
        assert i["userDataReplaceOnChange"] is True
        assert "keyName" not in i and "associatePublicIpAddress" not in i
        # Session Manager off by default: "" explicitly, so turning it off later detaches a profile (the
        # input is Optional+Computed: unset would keep the old one attached).
        assert i["iamInstanceProfile"] == ""
        assert "subnetId" not in i and "vpcSecurityGroupIds" not in i  # all through the fixed interface
        assert "net.ipv4.ip_forward = 1" in i["userData"]
        assert "masquerade" in i["userData"] and "10.0.0.0/20, 10.0.16.0/20" in i["userData"]
        assert i["tags"]["lambda-rds:component"] == "t" and i["tags"]["Name"].startswith("t-nat-us-east-1")
        assert i["volumeTags"]["lambda-rds:component"] == "t"
    for res in (*b.all(ENI), *_by_index(b, EIP, "t-nat-instance-eip-"), template, b.named("t-nat-sg")):
        assert res.inputs["tags"]["lambda-rds:component"] == "t"


def test_security_group_admits_only_the_private_subnets_on_443_and_lets_443_out(
    build: Callable[..., Built],
) -> None:
    b = build(_cfg())
    sg = b.named("t-nat-sg")
    assert all(e.inputs["securityGroups"] == [sg.id] for e in b.all(ENI))
    ingress = [r.inputs for r in b.all(INGRESS) if r.inputs["securityGroupId"] == sg.id]
    assert sorted((r["cidrIpv4"], r["ipProtocol"], r["fromPort"], r["toPort"]) for r in ingress) == [
        ("10.0.0.0/20", "tcp", 443, 443),
        ("10.0.16.0/20", "tcp", 443, 443),
    ]
    egress = [r.inputs for r in b.all(EGRESS) if r.inputs["securityGroupId"] == sg.id]
    assert [(r["cidrIpv4"], r["ipProtocol"], r["fromPort"], r["toPort"]) for r in egress] == [
        ("0.0.0.0/0", "tcp", 443, 443)
    ]


def test_x86_type_takes_the_x86_image_and_ssm_adds_the_instance_profile(build: Callable[..., Built]) -> None:
    b = build(_cfg("single", nat_instance_type="t3.micro", nat_instance_ssm=True))
    assert b.one(LT).inputs["imageId"].endswith("al2023-ami-kernel-default-x86_64")
    inst = b.one(INSTANCE).inputs
    assert inst["instanceType"] == "t3.micro"
    assert "al2023-ami-kernel-default-x86_64" in inst["userData"]  # an architecture change replaces it
    profile = b.one(PROFILE)
    assert inst["iamInstanceProfile"] == profile.id
    role = b.named("t-nat-ssm-role")
    assert "ec2.amazonaws.com" in role.inputs["assumeRolePolicy"]
    assert any(
        a.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" for a in b.all(ATTACH)
    )


def test_gateway_is_still_the_default_and_keeps_its_route_names(build: Callable[..., Built]) -> None:
    b = build({**_cfg(), "network": {}})
    assert len(b.all(NAT_GW)) == 2 and b.all(INSTANCE) == [] and b.all(ENI) == []
    routes = _by_index(b, ROUTE, "t-private-default-")
    assert [r.name for r in routes] == ["t-private-default-0", "t-private-default-1"]  # re-targeted in place
    assert all("natGatewayId" in r.inputs for r in routes)


# ---- settings: refused before any resource exists --------------------------------------------------------
@pytest.mark.parametrize(
    ("cfg", "pattern"),
    [
        (
            {"egress": "nat", "nat_gateways": "regional", "network": {"nat_type": "instance"}},
            r"nat_gateways: 'regional'.*network\.nat_type 'instance'.*'single'.*'per_az'",
        ),
        (
            {"auth": "secret", "network": {"nat_type": "instance"}},
            r"network\.nat_type: only applies with egress 'nat'",
        ),
        (
            {"egress": "nat", "network": {"nat_type": "ec2"}},
            r"network\.nat_type.*allowed values: gateway, instance",
        ),
        (
            {"egress": "nat", "network": {"nat_instance_type": "t4g.micro"}},
            r"network\.nat_instance_type: only applies with network\.nat_type 'instance'",
        ),
        (
            {"egress": "nat", "network": {"nat_type": "instance", "nat_instance_type": "t4g.mega"}},
            r"network\.nat_instance_type: 't4g\.mega': t4g has no size 'mega'.*allowed: .*t4g\.\{nano\|",
        ),
        (
            {"egress": "nat", "network": {"nat_type": "instance", "nat_instance_type": "p5.48xlarge"}},
            r"network\.nat_instance_type: 'p5\.48xlarge': family 'p5'.*allowed",
        ),
        (
            {"egress": "nat", "network": {"nat_type": "instance", "nat_instance_type": "T4G NANO"}},
            r"network\.nat_instance_type: 'T4G NANO' is not an instance type like 't4g\.nano'",
        ),
        (
            {"egress": "nat", "network": {"nat_type": "instance", "nat_instance_ssm": "yes"}},
            r"network\.nat_instance_ssm",
        ),
        (
            {
                "egress": "nat",
                "network": {
                    "nat_type": "instance",
                    "vpc_id": "vpc-0abc",
                    "private_subnet_ids": ["subnet-1", "subnet-2"],
                },
            },
            r"network\.nat_type: 'instance' cannot be used with a bring-your-own network\.vpc_id",
        ),
    ],
)
def test_bad_input_is_refused_naming_key_and_allowed_values(cfg: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        resolve(cfg)


def test_counts_follow_the_settings() -> None:
    s = resolve(_cfg("per_az", 3))
    assert (s.nat_instance_count, s.nat_gateway_count) == (3, 0)
    assert resolve(_cfg("single", 3)).nat_instance_count == 1
    assert resolve({**_cfg(), "network": {}}).nat_instance_count == 0


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("t4g.nano", "arm64"),
        ("c7g.large", "arm64"),
        ("m7g.medium", "arm64"),
        ("c6gn.xlarge", "arm64"),
        ("t3.nano", "x86_64"),
        ("t3a.small", "x86_64"),
    ],
)
def test_architecture_follows_the_family(instance_type: str, arch: str) -> None:
    assert rules.check_instance_type(instance_type) is None
    assert rules.architecture(instance_type) == arch
    assert (
        rules.ami_parameter(instance_type)
        == f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
    )


def test_user_data_is_idempotent_and_takes_only_cidrs() -> None:
    script = rules.user_data(["10.0.0.0/20"])
    # Re-running: the table is created if absent, then flushed before it is defined; the include line is
    # added only when missing; every file is rewritten whole (">", never ">>" but for the guarded include).
    assert "table ip lambda_rds_nat\nflush table ip lambda_rds_nat\n" in script
    assert 'grep -qxF "$INCLUDE" /etc/sysconfig/nftables.conf || echo' in script
    appends = [line for line in script.splitlines() if ">>" in line]
    assert len(appends) == 1 and "grep -qxF" in appends[0]
    assert "systemctl enable nftables" in script  # rules come back after a reboot or a recovery
    with pytest.raises(ValueError):
        rules.user_data(["10.0.0.0/20; rm -rf /"])


@pytest.mark.parametrize("mode", ["single", "per_az"])
def test_nat_instance_stack_passes_every_aws_rule(build: Callable[..., Built], mode: str) -> None:
    assert aws_violations(build(_cfg(mode))) == []


# ---- review (issue 22): what terraform-provider-aws v6 and EC2 accept, on the first and second `up` -------
def _options(cfg: dict[str, Any]) -> tuple[Built, dict[str, Any]]:
    """Build under mocks and keep every child's options (old-style transformations see the merged
    options, depends_on included)."""
    import pulumi

    from .conftest import build_component

    seen: dict[str, Any] = {}

    def keep(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        seen[args.name] = args.opts
        return pulumi.ResourceTransformationResult(args.props, args.opts)

    built = build_component(cfg, opts_factory=lambda: pulumi.ResourceOptions(transformations=[keep]))
    return built, seen


def test_instance_leaves_source_dest_check_to_its_fixed_interface(build: Callable[..., Built]) -> None:
    """aws_instance (provider v6): `source_dest_check` is in `primary_network_interface`'s ConflictsWith, so
    setting it fails validation at the first preview; leaving it unset, its default (true) differs from
    what Read reports (the interface's false) and the next `up` turns the check back on through
    ModifyInstanceAttribute (provider issue 44768). Only the `network_interface` block suppresses that
    diff and skips the call: the instance must take its interface through it and set no check."""
    b = build(_cfg())
    enis = _by_index(b, ENI, "t-nat-eni-")
    for i, inst in enumerate(_by_index(b, INSTANCE, "t-nat-instance-")):
        assert "sourceDestCheck" not in inst.inputs
        assert "primaryNetworkInterface" not in inst.inputs
        assert inst.inputs["networkInterfaces"] == [
            {"deviceIndex": 0, "networkInterfaceId": enis[i].id, "deleteOnTermination": False}
        ]
        conflicting = {"subnetId", "vpcSecurityGroupIds", "securityGroups", "associatePublicIpAddress"}
        assert not conflicting & set(inst.inputs), conflicting & set(inst.inputs)


def test_root_volume_is_set_in_the_launch_template_not_on_the_instance(build: Callable[..., Built]) -> None:
    """aws_instance's root_block_device makes the provider look the image up by the template's ImageId
    (DescribeImages), which fails on a `resolve:ssm:` alias with InvalidAMIID.Malformed (provider issue
    43488): the encrypted gp3 root volume is the launch template's block device mapping instead."""
    b = build(_cfg())
    for inst in b.all(INSTANCE):
        assert "rootBlockDevice" not in inst.inputs and "ebsBlockDevices" not in inst.inputs
    assert b.one(LT).inputs["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {"encrypted": "true", "volumeType": "gp3", "deleteOnTermination": "true"},
        }
    ]


def test_instance_boots_after_its_elastic_ip_is_associated() -> None:
    """The user data installs nftables from the Amazon Linux repositories at first boot, through the
    interface's Elastic IP: an instance launched before the address is associated has no way out, the
    script stops (`set -e`) and the NAT never forwards."""
    b, opts = _options(_cfg())
    for i, _ in enumerate(_by_index(b, INSTANCE, "t-nat-instance-")):
        deps = opts[f"t-nat-instance-{i}"].depends_on or []
        deps = deps if isinstance(deps, list) else [deps]
        assert f"t-nat-instance-eip-{i}" in {d._name for d in deps}


def test_instance_waits_for_its_public_route_and_routes_wait_for_the_instance() -> None:
    """The instance needs its public subnet's way out at first boot (the subnet's association with the
    public route table, not only the route), and a private default route moved to the interface before
    the instance exists (a first `up`, or gateway -> instance on an existing stack) is a blackhole."""
    b, opts = _options(_cfg())
    for i in range(2):
        deps = opts[f"t-nat-instance-eip-{i}"].depends_on or []
        deps = deps if isinstance(deps, list) else [deps]
        assert f"t-public-rta-{i}" in {d._name for d in deps}
    order = [r.name for r in b.mocks.resources]
    for i in range(2):
        assert order.index(f"t-private-default-{i}") > order.index(f"t-nat-instance-{i}")


def test_package_install_is_retried_and_fails_the_script_only_after_the_last_try() -> None:
    script = rules.user_data(["10.0.0.0/20"])
    assert "dnf install -y nftables" in script
    loop = script[script.index("for attempt") : script.index("done", script.index("for attempt"))]
    assert "dnf install -y nftables && break" in loop and "exit 1" in loop and "sleep" in loop


def test_instance_waits_for_its_security_group_to_let_https_out() -> None:
    """The group is created with its default allow-all egress removed (the rules are separate resources):
    an instance booted before the 443-out rule exists cannot reach the package repositories."""
    _, opts = _options(_cfg())
    for i in range(2):
        deps = opts[f"t-nat-instance-{i}"].depends_on or []
        deps = deps if isinstance(deps, list) else [deps]
        assert {f"t-nat-out-{p}" for p in rules.FORWARDED_TCP_PORTS} <= {d._name for d in deps}
