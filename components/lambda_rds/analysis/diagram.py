"""A picture of the topology the plan sees, from the analysis model and the reachability verdicts.

Pure (no Pulumi): the same for the component's resources and for a raw pulumi_aws program. The markdown
report opens with `mermaid` (a flowchart GitHub renders in a pull-request comment): each function, its
security group, the proxy when there is one, the database and its readers, and the egress path (NAT,
interface endpoints, or none), each hop labelled with its verdict and a failing hop drawn red. The text
report gets `ascii_lines`, one line per path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy

MARK = {"pass": "✅", "fail": "❌", "unknown": "❔"}  # a verdict status as the reports show it (render too)
_ID_BAD = re.compile(r"[^A-Za-z0-9_]")


@dataclass
class _Graph:
    nodes: dict[str, str] = field(default_factory=dict)  # id -> declaration
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)  # from, to, label, status
    failing_nodes: set[str] = field(default_factory=set)

    def node(self, kind: str, name: str, label: str, shape: str = "rect") -> str:
        nid = f"{kind}_{_ID_BAD.sub('_', name)}"
        text = _label(label)
        opening, closing = {"rect": ("[", "]"), "db": ("[(", ")]"), "round": ("(", ")")}[shape]
        self.nodes.setdefault(nid, f'{nid}{opening}"{text}"{closing}')
        return nid

    def edge(self, src: str, dst: str, label: str, status: str) -> None:
        if (src, dst, label, status) not in self.edges:
            self.edges.append((src, dst, label, status))
        if status == "fail":
            self.failing_nodes.update((src, dst))


def _label(text: str) -> str:
    # Mermaid labels in quotes: a quote or angle bracket would end or break them.
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _verdict(
    verdicts: Iterable[Verdict], vid: str, subject: str, target: str | None = None
) -> Verdict | None:
    for v in verdicts:
        if v.id == vid and v.subject == subject and (target is None or v.target == target):
            return v
    return None


def _status(v: Verdict | None) -> str:
    return v.status if v is not None else "unknown"


def _hop(v: Verdict | None, fallback: str) -> str:
    return f"{MARK[_status(v)]} {v.summary if v is not None else fallback}"


def _sg_label(model: Model, fn: Function) -> str:
    names = [model.sgs[i].name if i in model.sgs else i for i in fn.sg_ids]
    return "SG " + ", ".join(names) if names else "no security group"


def _egress(model: Model) -> tuple[str, str]:
    """(kind, label) of the VPC's way out: NAT, interface endpoints, or none."""
    if model.nats:
        regional = any(n.regional for n in model.nats.values())
        return "nat", f"NAT gateway x{len(model.nats)}" + (" (regional)" if regional else "")
    if model.enis:
        return "nat", f"NAT instance x{len(model.enis)}"
    interface = sorted({e.service for e in model.endpoints if e.type == "Interface"})
    gateway = sorted({e.service for e in model.endpoints if e.type == "Gateway"})
    if interface or gateway:
        parts = [f"endpoints: {', '.join(interface)}"] if interface else []
        parts += [f"gateway: {', '.join(gateway)}"] if gateway else []
        return "endpoints", "; ".join(parts)
    return "none", "no egress"


def _target_node(g: _Graph, target: Proxy | Database) -> str:
    if isinstance(target, Proxy):
        return g.node("proxy", target.name, f"RDS Proxy {target.name}", "round")
    return g.node("db", target.name, f"{target.engine} {target.name}", "db")


def _build(model: Model, verdicts: list[Verdict]) -> _Graph:
    g = _Graph()
    egress_kind, egress_label = _egress(model)
    egress = g.node("egress", egress_kind, egress_label, "round")
    for fn in model.functions:
        f = g.node("fn", fn.name, f"λ {fn.name}" + ("" if fn.in_vpc else " (outside the VPC)"))
        # A function outside the VPC has no security group on the way: its hop starts at the function.
        sg = f
        if fn.in_vpc:
            sg = g.node("sg", fn.name, _sg_label(model, fn))
            private = _verdict(verdicts, "net.function-private", fn.name)
            g.edge(f, sg, _hop(private, "in the VPC"), _status(private))
        target = model.target_of(fn)
        reach = _verdict(verdicts, "reach.db-port", fn.name, target.name) if target is not None else None
        if target is not None and (reach is not None or fn.in_vpc):
            g.edge(sg, _target_node(g, target), _hop(reach, "path unknown"), _status(reach))
        apis = [v for v in verdicts if v.id == "reach.aws-api" and v.subject == fn.name]
        for v in apis:
            said = v.summary if str(v.target) in v.summary else f"{v.target}: {v.summary}"
            g.edge(sg, egress, f"{MARK[v.status]} {said}", v.status)
    for proxy in model.proxies:
        p = _target_node(g, proxy)
        for db in model.proxy_databases(proxy):
            reach = _verdict(verdicts, "reach.proxy-db", proxy.name, db.name)
            g.edge(p, _target_node(g, db), _hop(reach, "path unknown"), _status(reach))
    for db in model.databases:
        readers = len(db.replicas) or max(0, len(db.members) - 1)
        if readers:
            d = _target_node(g, db)
            r = g.node("readers", db.name, f"{readers} reader(s)", "db")
            g.edge(d, r, "replication", "pass")
    # A failing check that is no hop (subnets in one AZ, the ENI permissions, too little capacity) still
    # marks the function, proxy or database it is about.
    for v in verdicts:
        if v.failed:
            for kind in ("fn", "proxy", "db"):
                nid = f"{kind}_{_ID_BAD.sub('_', v.subject)}"
                if nid in g.nodes:
                    g.failing_nodes.add(nid)
    return g


def mermaid(model: Model, verdicts: list[Verdict]) -> str:
    """The topology as a mermaid flowchart, failing hops in red (empty when there is nothing to draw)."""
    if not model.functions and not model.databases:
        return ""
    g = _build(model, verdicts)
    lines = ["flowchart LR", *(f"  {decl}" for decl in g.nodes.values())]
    for src, dst, label, _ in g.edges:
        lines.append(f'  {src} -->|"{_label(label)}"| {dst}')
    lines.append("  classDef fail stroke:#d00,stroke-width:3px,color:#d00")
    if g.failing_nodes:
        lines.append(f"  class {','.join(sorted(g.failing_nodes))} fail")
    for i, (*_, status) in enumerate(g.edges):
        if status == "fail":
            lines.append(f"  linkStyle {i} stroke:#d00,stroke-width:3px")
    return "\n".join(lines)


def ascii_lines(model: Model, verdicts: list[Verdict]) -> list[str]:
    """One line per function: `fn -> SG ... -> proxy -> database | egress`, each hop's verdict marked."""
    word = {"pass": "ok", "fail": "FAIL", "unknown": "?"}
    out: list[str] = []
    _, egress_label = _egress(model)
    for fn in model.functions:
        hops = [fn.name, f"[{_sg_label(model, fn)}]" if fn.in_vpc else "[outside the VPC]"]
        target = model.target_of(fn)
        reach = _verdict(verdicts, "reach.db-port", fn.name, target.name) if target is not None else None
        if target is not None and (reach is not None or fn.in_vpc):
            hops.append(f"-{word[_status(reach)]}-> {target.name}")
            if isinstance(target, Proxy):
                for db in model.proxy_databases(target):
                    via = _verdict(verdicts, "reach.proxy-db", target.name, db.name)
                    hops.append(f"-{word[_status(via)]}-> {db.name}")
        apis = [v for v in verdicts if v.id == "reach.aws-api" and v.subject == fn.name]
        if apis:
            worst = (
                "fail"
                if any(v.failed for v in apis)
                else "unknown"
                if any(v.status == "unknown" for v in apis)
                else "pass"
            )
            hops.append(
                f"| egress -{word[worst]}-> {egress_label} ({', '.join(str(v.target) for v in apis)})"
            )
        out.append(" ".join(hops))
    return out
