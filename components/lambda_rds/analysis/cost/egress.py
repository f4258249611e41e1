"""Egress cost: the regional NAT's billed AZs and the comparison of egress layouts.

The layouts compared: single, per_az and regional NAT gateways, one or one-per-AZ NAT instances
(`network.nat_type: instance`), or interface endpoints, shown where it helps choose."""

from lambda_rds.analysis.checks.reachability import needed_services
from lambda_rds.analysis.cost import instances
from lambda_rds.analysis.cost.model import CostEstimate, EgressOption
from lambda_rds.analysis.cost.monitoring import alarm_metrics, alarm_price_key, nat_gateway_alarms
from lambda_rds.analysis.cost.prices import PriceBook, worst_grade
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.tokens import T_INSTANCE
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Model, NatGateway
from lambda_rds.rules.nat_instance import DEFAULT_INSTANCE_TYPE

OPTIONS = ("single", "per_az", "regional", "instance_single", "instance_per_az", "endpoints")
"""The options compared, in report order: NAT gateways, NAT instances, interface endpoints."""


def regional_nat_azs(model: Model, nat: NatGateway) -> set[str]:
    """The AZs a regional NAT gateway is active in: those of the subnets whose default route goes to it
    (their ENIs bring it there, auto mode); without such routes, those of its VPC's non-public subnets."""
    routed = [
        s
        for s in model.subnets.values()
        if (rt := model.route_table_for(s.id)) is not None
        and any(r.target == "nat" and r.target_id == nat.id and r.destination is not None for r in rt.routes)
    ]
    subnets = routed or [
        s
        for s in model.subnets.values()
        if s.vpc_id is not None and s.vpc_id == nat.vpc_id and not model.is_public_subnet(s.id)
    ]
    azs = {s.az or s.id for s in subnets}
    return azs or {"(one AZ)"}


def egress_comparison(model: Model, book: PriceBook, usage: Usage) -> tuple[tuple[EgressOption, ...], str]:
    """This stack's monthly egress cost with each layout: single, per_az and regional NAT gateways, one or
    one-per-AZ NAT instances, or endpoints.

    Only where it helps choose: the stack pays for egress (a NAT gateway, a NAT instance or an interface
    endpoint) in a VPC of its own (with a brought VPC the component creates no NAT). The same traffic goes
    through each option: the usage file's nat_gb_per_month (else endpoint_gb_per_month, else 0); a NAT
    instance bills none of it per GB (sources.FCK_NAT_README), a NAT gateway does. Cross-AZ transfer to a
    single NAT and internet egress are not priced here (as in the estimate). The instance options use the
    stack's NAT instance type, else the component's default (t4g.nano), with its root volume and an
    Elastic IP each.
    """
    interface = [e for e in model.endpoints if e.type == "Interface"]
    public_nats = [n for n in model.nats.values() if n.public]
    # NAT instances: the instances that own one of the stack's interfaces (resources/nat_instance.py).
    owners = {e.instance for e in model.enis.values() if e.instance}
    nat_instances = [r for r in model.of_type(T_INSTANCE) if r.name in owners]
    if not model.vpcs or not (public_nats or interface or nat_instances):
        return (), ""
    fn_subnets = [sid for fn in model.functions for sid in fn.subnet_ids]
    azs = len(model.azs(fn_subnets)) or max(
        (len(regional_nat_azs(model, n)) for n in public_nats if n.regional), default=0
    )
    if not azs:
        azs = len({s.az for s in model.subnets.values() if s.az and not model.is_public_subnet(s.id)}) or 1
    services = sorted(
        {e.service for e in interface} | {s for fn in model.functions for s in needed_services(model, fn)}
    )
    gb = usage.nat_gb_per_month or usage.endpoint_gb_per_month or 0.0
    hours = book.hours_per_month
    if public_nats and all(n.regional for n in public_nats):
        current = "regional"
    elif public_nats:
        current = "single" if len(public_nats) == 1 else "per_az"
    elif nat_instances:
        current = "instance_single" if len(nat_instances) == 1 else "instance_per_az"
    else:
        current = "endpoints"
    itype = (as_str(nat_instances[0].get("instanceType")) if nat_instances else None) or DEFAULT_INSTANCE_TYPE
    if nat_instances:
        vtype, root_gb, root_assumed = instances.root_volume(nat_instances[0])
    else:
        vtype, root_gb, root_assumed = "gp3", instances.AL2023_ROOT_GB, instances.ROOT_SIZE_ASSUMPTION

    def option(
        name: str,
        hourly: list[tuple[float, tuple[str, ...]]],
        per_gb: str | None,
        detail: str,
        traffic: float = gb,
        assumed: bool = False,
    ) -> EgressOption:
        keys = [k for _, ks in hourly for k in ks] + ([per_gb] if per_gb else [])
        prices = {k: book.get(k) for k in keys}
        if any(p is None for p in prices.values()):
            return EgressOption(name, None, 0.0, 0.0, name == current, "C", detail + " (unpriced)")
        fixed = 0.0
        for quantity, ks in hourly:
            unit = 1.0
            for k in ks:
                unit *= prices[k].usd  # type: ignore[union-attr]
            fixed += quantity * unit
        data = traffic * prices[per_gb].usd if per_gb else 0.0  # type: ignore[union-attr]
        grade = worst_grade(*(p.grade for p in prices.values() if p), *(("C",) if assumed else ()))
        return EgressOption(name, fixed + data, fixed, data, name == current, grade, detail)

    # The NAT gateways' alarms (issue 23: port allocation errors, dropped packets) come with each gateway:
    # the gateway options carry them at the stack's alarm metrics per gateway; an option without gateways
    # has none. A Region without the alarm price names them instead of leaving the option unpriced.
    nat_alarms = nat_gateway_alarms(model) if public_nats else []
    per_gateway: list[tuple[float, tuple[str, ...]]] = []
    alarm_note = ""
    if nat_alarms:
        by_key: dict[str, float] = {}
        for r in nat_alarms:
            by_key[alarm_price_key(r)] = by_key.get(alarm_price_key(r), 0.0) + alarm_metrics(r)
        if all(book.get(k) is not None for k in by_key):
            per_gateway = [(m / len(public_nats), (k,)) for k, m in sorted(by_key.items())]
            alarm_note = f", with its alarms ({len(nat_alarms) / len(public_nats):g} per gateway)"
        else:
            alarm_note = ", its alarms not priced here"

    def gateway_alarms(gateways: int) -> list[tuple[float, tuple[str, ...]]]:
        return [(gateways * metrics, keys) for metrics, keys in per_gateway]

    def instance_option(name: str, count: int, layout: str) -> EgressOption:
        # Per instance: its hours, its root volume's GB-months, its Elastic IP's hours; no per-GB charge.
        burst = (
            "; burstable: surplus CPU credits bill on top (not priced)"
            if instances.is_burstable(itype)
            else ""
        )
        return option(
            name,
            [
                (count * hours, (instances.price_key(itype),)),
                (count * root_gb, (f"ebs.{vtype}.gb_month",)),
                (count * hours, ipv4),
            ],
            None,
            f"{layout}; no per-GB processing charge, throughput of a {itype}, minutes without egress while "
            f"an instance is replaced{burst}",
            # The image's root volume size (instances.AL2023_ROOT_GB) is a grade-C figure.
            assumed=root_assumed is not None,
        )

    nat_hour, ipv4 = ("ec2.nat_gateway.hour",), ("vpc.public_ipv4.hour",)
    regional_ips = ("ec2.nat_gateway.regional.ips_per_az", "vpc.public_ipv4.hour")
    options = (
        option(
            "single",
            [(hours, nat_hour), (hours, ipv4), *gateway_alarms(1)],
            "ec2.nat_gateway.gb_processed",
            f"1 zonal NAT gateway + public subnet{alarm_note}; losing its AZ cuts egress in every AZ, and "
            "the other AZs' traffic also pays cross-AZ transfer (not priced)",
        ),
        option(
            "per_az",
            [(azs * hours, nat_hour), (azs * hours, ipv4), *gateway_alarms(azs)],
            "ec2.nat_gateway.gb_processed",
            f"{azs} zonal NAT gateways, {azs} public subnets and Elastic IPs{alarm_note}; survives an AZ"
            " loss",
        ),
        option(
            "regional",
            [
                (azs * hours, ("ec2.nat_gateway.regional.az_hour",)),
                (azs * hours, regional_ips),
                *gateway_alarms(1),
            ],
            "ec2.nat_gateway.regional.gb_processed",
            f"1 regional NAT gateway billed in {azs} AZ(s), no public subnets{alarm_note}; survives an AZ"
            " loss",
        ),
        instance_option(
            "instance_single",
            1,
            f"1 NAT instance ({itype}) + public subnet and Elastic IP; losing its AZ cuts egress in every "
            "AZ, and the other AZs' traffic also pays cross-AZ transfer (not priced)",
        ),
        instance_option(
            "instance_per_az",
            azs,
            f"{azs} NAT instances ({itype}), {azs} public subnets and Elastic IPs; survives an AZ loss",
        ),
        option(
            "endpoints",
            [(len(services) * azs * hours, ("vpc.interface_endpoint.az_hour",))],
            "vpc.interface_endpoint.gb_first_1pb",
            (
                f"{len(services)} interface endpoint(s) ({', '.join(services)}) in {azs} AZ(s); AWS APIs "
                "only, no internet"
                if services
                else "the functions call no AWS API: no endpoint needed (egress 'none' would do)"
            ),
            traffic=gb if services else 0.0,
        ),
    )
    basis = (
        f"{azs} AZ(s), {gb:g} GB/month through whichever option"
        if gb
        else f"{azs} AZ(s), hourly charges only: set nat_gb_per_month in the usage file to price the traffic"
    )
    return options, basis


def egress_comparison_text(est: CostEstimate) -> list[str]:
    """The comparison as indented report lines (empty when it does not apply)."""
    if not est.egress_comparison:
        return []
    out = [f"  egress options for this stack ({est.egress_basis}):"]
    width = max(len(o.option) for o in est.egress_comparison)
    for o in est.egress_comparison:
        money = "unpriced" if o.monthly is None else f"${o.monthly:,.2f}"
        mark = " (current)" if o.current else ""
        out.append(f"    {o.option.ljust(width)}  {money:>10}/month  grade {o.grade}  {o.detail}{mark}")
    return out


def egress_comparison_markdown(est: CostEstimate) -> list[str]:
    if not est.egress_comparison:
        return []
    out = [
        f"Egress options for this stack ({est.egress_basis}):",
        "",
        "| option | monthly | grade | layout |",
    ]
    out.append("|---|---:|---|---|")
    for o in est.egress_comparison:
        money = "unpriced" if o.monthly is None else f"${o.monthly:,.2f}"
        name = f"**{o.option}** (current)" if o.current else o.option
        out.append(f"| {name} | {money} | {o.grade} | {o.detail.replace('|', '/')} |")
    out.append("")
    return out
