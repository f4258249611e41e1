"""NAT instance facts and pure logic: which instance types, which Amazon Linux 2023 image, the user data.

Every rule names its source (the constants are in `rules.aws_sources`, read 2026-12-06):

- Instance types: a deliberately small table of families that exist, with their sizes, from the Amazon
  EC2 Instance Types guide (sources.EC2_TYPES_GENERAL_PURPOSE: T4g, T3, T3a, M7g "medium ... 16xlarge,
  metal"; sources.EC2_TYPES_COMPUTE_OPTIMIZED: C7g, C6gn). The AWS Graviton families (the "g" after the
  generation digit) are arm64, the others x86_64 (sources.EC2_INSTANCE_TYPE_NAMES: "g - AWS Graviton
  processors"). Nothing is asked of AWS at plan time, so a type missing in one Region fails at `up`
  (RunInstances "Unsupported"), not here.
- The image: AWS's public Systems Manager parameters
  ``/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arm64,x86_64}``
  (sources.AL2023_SSM_PARAMETERS), given to EC2 as ``resolve:ssm:<name>`` in a launch template's
  ImageId, which RunInstances resolves at launch (sources.EC2_LAUNCH_TEMPLATE_DATA: "ImageId ... a
  Systems Manager parameter ... resolve:ssm:parameter-name"). Never a hard-coded AMI id.
- Forwarding: ``net.ipv4.ip_forward = 1`` (sources.LINUX_IP_SYSCTL), an nftables ``nat`` chain on the
  ``postrouting`` hook with ``masquerade`` (sources.NFTABLES_NAT), loaded at boot by the nftables service
  from /etc/sysconfig/nftables.conf (the Fedora layout Amazon Linux 2023 follows,
  sources.AL2023_NFTABLES), and source/destination checking off on the interface
  (sources.EC2_NAT_INSTANCE: "you must disable source/destination checking on the NAT instance").
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

# family -> sizes, read from the EC2 Instance Types guide (general purpose and compute optimized pages).
# Kept small on purpose: burstable families for a few dollars a month, and the Graviton families with the
# most network bandwidth per dollar for a NAT that must carry more. Metal sizes are left out (a NAT needs
# no bare metal, and they take minutes longer to boot).
_T_SIZES = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge")
_GRAVITON_SIZES = ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
INSTANCE_FAMILIES: dict[str, tuple[str, ...]] = {
    "t4g": _T_SIZES,
    "t3": _T_SIZES,
    "t3a": _T_SIZES,
    "m7g": _GRAVITON_SIZES,
    "c7g": _GRAVITON_SIZES,
    "c6gn": _GRAVITON_SIZES,
}
DEFAULT_INSTANCE_TYPE = "t4g.nano"
INSTANCE_TYPE_RE = re.compile(r"^([a-z][a-z0-9-]*)\.([a-z0-9]+)$")
# Graviton: a family letter (or letters), a generation digit, then "g" (t4g, m7g, c6gn, c7gd, ...).
_GRAVITON_FAMILY_RE = re.compile(r"^[a-z]+[0-9]+g[a-z]*$")

AL2023_SSM_PREFIX = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-"

# Security group (resources/nat_instance.py): what the functions send through the NAT. The component's
# function security group allows only HTTPS out under egress `nat` (resources.security_groups
# allow_https_out): AWS APIs and Secrets Manager are HTTPS on 443. DNS and NTP need no rule: security
# groups do not filter traffic to the Amazon DNS server or the Amazon Time Sync Service
# (sources.SG_UNFILTERED_TRAFFIC).
FORWARDED_TCP_PORTS: tuple[int, ...] = (443,)


def allowed_types_text() -> str:
    families = ", ".join(f"{f}.{{{'|'.join(s)}}}" for f, s in INSTANCE_FAMILIES.items())
    return f"an instance type <family>.<size> from: {families}"


def check_instance_type(value: str) -> str | None:
    """Why ``value`` is refused, or None when it is one of the known types."""
    m = INSTANCE_TYPE_RE.match(value)
    if not m:
        return f"{value!r} is not an instance type like 't4g.nano' (<family>.<size>)"
    family, size = m.groups()
    sizes = INSTANCE_FAMILIES.get(family)
    if sizes is None:
        return f"{value!r}: family {family!r} is not one the component runs NAT instances on"
    if size not in sizes:
        return f"{value!r}: {family} has no size {size!r} (sizes: {', '.join(sizes)})"
    return None


def architecture(instance_type: str) -> str:
    """``arm64`` for a Graviton family (``t4g``, ``c7g``, ``m7g``, ``c6gn``), else ``x86_64``."""
    family = instance_type.split(".", 1)[0]
    return "arm64" if _GRAVITON_FAMILY_RE.match(family) else "x86_64"


def ami_parameter(instance_type: str) -> str:
    """The public SSM parameter holding the current Amazon Linux 2023 AMI for the type's architecture."""
    return AL2023_SSM_PREFIX + architecture(instance_type)


def image_id(instance_type: str) -> str:
    """A launch template ImageId that EC2 resolves at each launch: never a hard-coded AMI id."""
    return "resolve:ssm:" + ami_parameter(instance_type)


def user_data(private_cidrs: Sequence[str]) -> str:
    """A shell script for cloud-init: IPv4 forwarding on, and masquerading of the private subnets'
    traffic out of the interface that holds the default route. Idempotent: every file is rewritten
    whole, the nftables table is flushed before it is defined, and the include line is added once, so a
    second run (by hand, or `cloud-init` re-running user data) leaves the same state. Persisted: the
    sysctl.d file and the nftables service (enabled) apply it again at every boot, so an automatic
    recovery (a reboot on another host) comes back as a NAT without cloud-init running again."""
    for cidr in private_cidrs:
        ipaddress.ip_network(cidr, strict=True)  # refuse anything but a CIDR before it reaches a shell
    saddr = ", ".join(private_cidrs)
    return f"""#!/bin/bash
# lambda-rds NAT instance (rules/nat_instance.py). Safe to run again.
set -euo pipefail
# The repositories are reached through the Elastic IP; a mirror can fail for a moment: retry, then fail.
for attempt in 1 2 3 4 5; do
  dnf install -y nftables && break
  if [ "$attempt" = 5 ]; then exit 1; fi
  sleep 15
done
mkdir -p /etc/nftables /etc/sysconfig
touch /etc/sysconfig/nftables.conf
cat > /etc/sysctl.d/90-lambda-rds-nat.conf <<'EOF'
net.ipv4.ip_forward = 1
EOF
sysctl -p /etc/sysctl.d/90-lambda-rds-nat.conf
IFACE="$(ip -o -4 route show default | awk '{{print $5; exit}}')"
cat > /etc/nftables/lambda-rds-nat.nft <<EOF
table ip lambda_rds_nat
flush table ip lambda_rds_nat
table ip lambda_rds_nat {{
  chain forward {{
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "$IFACE" oifname "$IFACE" ip saddr {{ {saddr} }} accept
  }}
  chain postrouting {{
    type nat hook postrouting priority srcnat; policy accept;
    oifname "$IFACE" ip saddr {{ {saddr} }} masquerade
  }}
}}
EOF
INCLUDE='include "/etc/nftables/lambda-rds-nat.nft"'
grep -qxF "$INCLUDE" /etc/sysconfig/nftables.conf || echo "$INCLUDE" >> /etc/sysconfig/nftables.conf
systemctl enable nftables
nft -f /etc/nftables/lambda-rds-nat.nft
"""


# The root device name the launch template's block device mapping must use to change the image's root
# volume (and not add a second one). EC2 reserves "/dev/sda1 or /dev/xvda" for the root device, "differs by
# AMI" (sources.EC2_DEVICE_NAMING); for the Amazon Linux 2023 images it is /dev/xvda (a secondary source:
# Karpenter's AL2023 default block device mapping, sources.KARPENTER_AL2023_ROOT_DEVICE; AWS's AL2023
# guide we could read does not state it). Were it wrong, the mapping would name a new volume with neither
# a snapshot nor a size, which RunInstances refuses: the first `up` fails loudly, nothing runs unencrypted.
ROOT_DEVICE_NAME = "/dev/xvda"
