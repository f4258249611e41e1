"""EC2 instances in the estimate (the NAT instances of `network.nat_type: instance`): what prices them.

An instance bills its hours at its type's On-Demand rate (price key ``ec2.<type with _>.hour``, e.g.
``ec2.t4g_nano.hour``), and its root EBS volume per GB-month (``ebs.<volume type>.gb_month``). The
program leaves the root volume's size unset, so it is the image's snapshot size (sources.EC2_EBS_BLOCK_DEVICE:
the default is the snapshot size); the estimate takes 8 GiB for an Amazon Linux 2023 image from a single
secondary source (sources.FCK_NAT_README): those lines are grade C and say so. Its Elastic IP is priced
with the other addresses (``vpc.public_ipv4.hour``).

Burstable types (T2, T3, T3a, T4g) bill more than their hourly rate when the CPU runs above the baseline
on average over 24 hours in `unlimited` credit mode, the default for T4g, T3a and T3 at launch
(sources.EC2_T_UNLIMITED_DEFAULT): the estimate names it and does not price it. A NAT instance bills no
per-GB processing charge (a NAT gateway does); data transfer out to the internet bills either way and
is not modelled.
"""

from __future__ import annotations

import re

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.values import as_float, as_str, first_block

AL2023_ROOT_GB = 8.0
"""The root volume of an Amazon Linux 2023 image, GiB: 8 GB of gp3 at $0.08 is fck-nat's $0.64 a month
for its AL2023-based image (sources.FCK_NAT_README). Unconfirmed by AWS's docs: grade C."""
ROOT_SIZE_ASSUMPTION = (
    "root volume size unset: the image's snapshot size, taken as 8 GiB for Amazon Linux 2023 "
    "(single secondary source: fck-nat's README, $0.64/month of gp3)"
)
# Burstable families: a "t", the generation digit, then attributes (t2, t3, t3a, t4g).
_BURSTABLE_RE = re.compile(r"^t[0-9][a-z]*$")
UNLIMITED_NOTE = (
    "burstable type in unlimited credit mode (the default for T4g/T3/T3a): CPU above the baseline, "
    "averaged over 24 h, bills surplus credits per vCPU-hour on top (not priced)"
)


def price_key(instance_type: str) -> str:
    """``ec2.t4g_nano.hour`` for ``t4g.nano``: the book's key for the type's On-Demand Linux hour."""
    return f"ec2.{instance_type.replace('.', '_')}.hour"


def is_burstable(instance_type: str) -> bool:
    return bool(_BURSTABLE_RE.match(instance_type.split(".", 1)[0]))


def bills_surplus_credits(r: Resource) -> bool:
    """A burstable instance whose credit mode is not `standard` (unset: unlimited for T4g/T3/T3a)."""
    itype = as_str(r.get("instanceType")) or ""
    mode = as_str(first_block(r.get("creditSpecification")).get("cpuCredits"))
    return is_burstable(itype) and mode != "standard"


def root_volume(r: Resource) -> tuple[str, float, str | None]:
    """The root volume's type, size in GiB and, when the size is not in the program, the assumption made."""
    block = first_block(r.get("rootBlockDevice"))
    vtype = as_str(block.get("volumeType")) or "gp3"
    size = as_float(block.get("volumeSize"))
    if size is not None and size > 0:  # 0: the provider's "unset" in a state file
        return vtype, size, None
    return vtype, AL2023_ROOT_GB, ROOT_SIZE_ASSUMPTION
