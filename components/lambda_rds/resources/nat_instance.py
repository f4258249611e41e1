"""NAT instances (`network.nat_type: instance`): internet egress for a few dollars a month.

Per NAT (one for `nat_gateways: single`, one per AZ for `per_az`), in that AZ's public subnet:

- a fixed network interface (``aws.ec2.NetworkInterface``) with source/destination checking off and the
  NAT security group; the private route tables' default routes point at it (``network_interface_id``),
  so the route survives whatever happens to the instance behind it;
- an Elastic IP associated with that interface (``aws.ec2.Eip(network_interface=...)``): the public
  address is the interface's, not the instance's, and stays the same across replacements;
- an instance (``aws.ec2.Instance``) whose primary interface (device 0) is that interface. The image is
  the current Amazon Linux 2023 for the type's architecture, through a launch template whose ImageId is
  ``resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-<arch>``: EC2 resolves
  it at launch, so no AMI id is ever written down; the template also holds the encrypted gp3 root volume.
  IMDSv2 only, no key pair, source/destination check left to the interface (the instance sets none),
  user data that turns on forwarding and nftables masquerading (rules/nat_instance.py). Launched after
  the Elastic IP is associated (the user data needs the way out).

Self-healing: a plain instance that owns the interface as device 0, with EC2 simplified automatic
recovery (``maintenance_options.auto_recovery = "default"``), not an Auto Scaling group of one that
attaches the interface at boot. Why:

- What each covers. Automatic recovery acts on a failed *system* status check (the host's hardware or
  software): it moves the instance to another host keeping its id, interfaces, private and Elastic IP
  addresses (sources.EC2_SIMPLIFIED_RECOVERY): the route and the address never change, no code runs. An
  ASG of one also replaces an instance that fails its *instance* status check or is terminated by hand,
  which recovery does not (the instance is then gone: `pulumi up` recreates it). Neither survives the
  loss of the AZ: `per_az` is the answer to that (each AZ's private subnet routes to its own NAT).
- What the ASG would cost in safety. To attach the fixed interface at boot, the instance must call the
  EC2 API (ec2:AttachNetworkInterface, scoped to the interface), so it needs a role, the AWS CLI in user
  data and a way to reach the API before it is a NAT: a public IPv4 address on its own primary interface
  (another public address, billed, and against "no public IP on anything else"), or an endpoint. And the
  attached interface becomes device 1 beside the launch interface, which needs policy routing on the
  instance to send NATed traffic out of the right one. Each piece is a way to fail at 3 a.m.; the plain
  instance has none of them.
- Replacement on `pulumi up`. The interface can be the primary interface of one instance only, so a
  replacement must delete the old instance first: ``delete_before_replace=True`` (create-before-delete
  would fail with the interface in use). What replaces it: a change of instance type is made in place
  (the provider stops, modifies and starts it, sources.TF_EC2_INSTANCE: minutes without egress); a
  change of user data or of the
  architecture (user data names the image parameter) replaces it (``user_data_replace_on_change``),
  because user data runs at first boot only. A new Amazon Linux release changes nothing in the program
  (the image id is resolved by EC2, not by us), so it never replaces an instance by surprise; to take it,
  run `pulumi up --replace <the instance's URN>` (minutes without egress in that AZ).

The security group admits from the private subnets' CIDRs only what the functions send out: TCP 443
(the function group allows only HTTPS out under egress `nat`; AWS APIs, Secrets Manager and most
third-party APIs are HTTPS), and allows out only TCP 443 to anywhere (the forwarded traffic, and the
instance's own package downloads from the Amazon Linux repositories, which are HTTPS). DNS and NTP need
no rule (sources.SG_UNFILTERED_TRAFFIC). A function that must reach another port through the NAT needs a
rule on both groups; the component adds none.

Session Manager (`network.nat_instance_ssm`, off by default): an instance profile whose role has AWS's
AmazonSSMManagedInstanceCore policy; the agent ships in Amazon Linux 2023 and reaches Systems Manager
over HTTPS through the instance's own Elastic IP.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.security_groups import ANYWHERE
from lambda_rds.rules import nat_instance as rules
from lambda_rds.settings import Settings

SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def build_nat_instances(
    name: str,
    s: Settings,
    zones: Sequence[str],
    vpc_id: pulumi.Input[str],
    public_subnets: Sequence[aws.ec2.Subnet],
    private_cidrs: Sequence[str],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    depends_on: Sequence[pulumi.Resource],
) -> list[pulumi.Output[str]]:
    """One NAT instance per public subnet given; returns the fixed interfaces' ids, in AZ order, each
    resolved once its instance exists. ``depends_on``: what the Elastic IPs and the instances wait for
    (the public subnets' route to the internet gateway and their route table associations)."""
    instance_type = s.network.nat_instance_type
    arch = rules.architecture(instance_type)
    sg, egress = _security_group(name, vpc_id, private_cidrs, opts, tags)
    # One template per architecture: the image, which EC2 resolves at each launch, and the root volume.
    # Its data never changes, so its version stays 1 and the instances never see a template update.
    template = aws.ec2.LaunchTemplate(
        f"{name}-nat-image-{arch}",
        description=f"lambda-rds NAT instance image: current Amazon Linux 2023 {arch} (SSM parameter)",
        image_id=rules.image_id(instance_type),
        # The root volume is set here, not as the instance's root_block_device: for that block the
        # provider looks the image up by the template's ImageId (DescribeImages), which refuses a
        # `resolve:ssm:` alias (InvalidAMIID.Malformed, sources.TF_INSTANCE_SSM_ALIAS_ROOT_DEVICE) and
        # would fail the first `up`. EC2 applies the template's mapping at launch, after resolving the
        # image. No volume_size: the image's snapshot size, the smallest EC2 allows
        # (sources.EC2_EBS_BLOCK_DEVICE).
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name=rules.ROOT_DEVICE_NAME,
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    encrypted="true", volume_type="gp3", delete_on_termination="true"
                ),
            )
        ],
        tags={**tags, "Name": f"{name}-nat-image-{arch}"},
        opts=opts,
    )
    profile = _ssm_profile(name, opts, tags) if s.network.nat_instance_ssm else None
    script = rules.user_data(private_cidrs)
    # Naming the image parameter in the script makes a change of architecture a change of user data,
    # which replaces the instance (an arm64 image cannot boot an x86_64 type, or the reverse).
    script = script.replace(
        "set -euo pipefail\n", f"set -euo pipefail\n# image: {rules.ami_parameter(instance_type)}\n", 1
    )
    eni_ids: list[pulumi.Output[str]] = []
    for i, subnet in enumerate(public_subnets):
        zone = zones[i]
        eni = aws.ec2.NetworkInterface(
            f"{name}-nat-eni-{i}",
            subnet_id=subnet.id,
            security_groups=[sg.id],
            # The NAT forwards packets that are neither from nor to its own address
            # (ModifyNetworkInterfaceAttribute SourceDestCheck, sources.EC2_NAT_INSTANCE).
            source_dest_check=False,
            description=f"lambda-rds NAT {zone}: private route tables point here",
            tags={**tags, "Name": f"{name}-nat-{zone}"},
            opts=opts,
        )
        # Associating an address needs the VPC's internet gateway attached: after the public route.
        eip = aws.ec2.Eip(
            f"{name}-nat-instance-eip-{i}",
            domain="vpc",
            network_interface=eni.id,
            tags={**tags, "Name": f"{name}-nat-{zone}"},
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(depends_on))),
        )
        instance = aws.ec2.Instance(
            f"{name}-nat-instance-{i}",
            instance_type=instance_type,
            launch_template=aws.ec2.InstanceLaunchTemplateArgs(id=template.id, version="$Default"),
            # The `network_interface` block (deprecated in provider v6), not `primary_network_interface`:
            # with the latter, setting source_dest_check on the instance fails validation (ConflictsWith)
            # and leaving it unset makes the next `up` turn the check back on through
            # ModifyInstanceAttribute (its default, true, against the interface's false: provider issue
            # 44768, sources.TF_INSTANCE_PRIMARY_ENI_SOURCE_DEST_CHECK). With this block the provider
            # suppresses that diff and never calls it: the interface's source_dest_check=False rules.
            # delete_on_termination=False: the interface outlives the instance (replacement, recovery).
            network_interfaces=[
                aws.ec2.InstanceNetworkInterfaceArgs(
                    device_index=0, network_interface_id=eni.id, delete_on_termination=False
                )
            ],
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            # The root volume (encrypted gp3) comes from the launch template: see above.
            maintenance_options=aws.ec2.InstanceMaintenanceOptionsArgs(auto_recovery="default"),
            # An instance profile's id is its name (aws_iam_instance_profile), known once it exists. Without
            # Session Manager: "" explicitly, not unset. The input is Optional+Computed, so unset would keep a
            # profile attached when `nat_instance_ssm` is turned off (no diff), and the profile would then be
            # deleted under it; "" is a change the provider answers by disassociating it
            # (sources.TF_INSTANCE_PROFILE_UPDATE), and reads back as "" (no second-`up` diff).
            iam_instance_profile=profile.id if profile is not None else "",
            user_data=script,
            user_data_replace_on_change=True,
            tags={**tags, "Name": f"{name}-nat-{zone}"},
            volume_tags={**tags, "Name": f"{name}-nat-{zone}"},
            # After the Elastic IP and the group's HTTPS-out rule (the provider removes a new group's
            # default allow-all egress, sources.TF_SG_CREATE_REVOKES_EGRESS): the user data installs
            # nftables from the Amazon Linux repositories at first boot, through that address and rule;
            # launched before them, the script fails and the instance never NATs.
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(delete_before_replace=True, depends_on=[eip, *egress])
            ),
        )
        # The routes take the interface's id once the instance exists: a route moved to an interface with
        # nothing behind it (first `up`, or gateway -> instance on a deployed stack) drops the traffic.
        # The value is the interface's id either way, so replacing the instance never touches a route.
        eni_ids.append(pulumi.Output.all(eni.id, instance.id).apply(lambda ids: str(ids[0])))
    return eni_ids


def _security_group(
    name: str,
    vpc_id: pulumi.Input[str],
    private_cidrs: Sequence[str],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
) -> tuple[aws.ec2.SecurityGroup, list[aws.vpc.SecurityGroupEgressRule]]:
    """The NATs' group and its egress rules (which the instances wait for)."""
    sg = aws.ec2.SecurityGroup(
        f"{name}-nat-sg",
        vpc_id=vpc_id,
        description="NAT instances: HTTPS from the private subnets, HTTPS out",
        tags={**tags, "Name": f"{name}-nat"},
        opts=opts,
    )
    for i, cidr in enumerate(private_cidrs):
        for port in rules.FORWARDED_TCP_PORTS:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-nat-from-private-{i}-{port}",
                security_group_id=sg.id,
                cidr_ipv4=cidr,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"TCP {port} from private subnet {cidr}, to be forwarded",
                tags=tags,
                opts=opts,
            )
    egress: list[aws.vpc.SecurityGroupEgressRule] = []
    for port in rules.FORWARDED_TCP_PORTS:
        rule = aws.vpc.SecurityGroupEgressRule(
            f"{name}-nat-out-{port}",
            security_group_id=sg.id,
            cidr_ipv4=ANYWHERE,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"TCP {port} to the internet: forwarded traffic and package downloads",
            tags=tags,
            opts=opts,
        )
        egress.append(rule)
    return sg, egress


def _ssm_profile(name: str, opts: pulumi.ResourceOptions, tags: dict[str, str]) -> aws.iam.InstanceProfile:
    """Session Manager only: the role EC2 assumes for the instance, with AWS's SSM core policy."""
    role = aws.iam.Role(
        f"{name}-nat-ssm-role",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        description="lambda-rds NAT instances: Session Manager only",
        tags=tags,
        opts=opts,
    )
    aws.iam.RolePolicyAttachment(
        f"{name}-nat-ssm-core", role=role.name, policy_arn=SSM_CORE_POLICY_ARN, opts=opts
    )
    return aws.iam.InstanceProfile(f"{name}-nat-ssm-profile", role=role.name, tags=tags, opts=opts)
