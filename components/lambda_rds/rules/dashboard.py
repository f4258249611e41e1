"""The component's CloudWatch dashboard as pure data: its name, its body and its console URL.

The body is JSON per AWS's dashboard body structure (sources.DASHBOARD_BODY).
No Pulumi: the wiring resolves the dimension values the account decides (`rules.alarms.Ref`)
and calls `dashboard_body`.

One row per function (invocations, errors and throttles; duration against the timeout; concurrency
against the reserved concurrency), then the database (connections against max_connections, CPU, memory or
Aurora Serverless v2 capacity, storage), the proxy (client and database connections, borrow latency) and
the NAT gateways (port allocation errors, dropped packets): the alarms' signals, side by side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lambda_rds.rules import metrics
from lambda_rds.rules.alarms import CLUSTER_WRITER, DimensionValue, Ref

if TYPE_CHECKING:  # the type only: rules import no other room at run time
    from lambda_rds.settings.model import Settings

NAME_MAX = 255
_NAME_BAD = re.compile(r"[^A-Za-z0-9_-]+")
WIDTH = 8  # three graphs per row of the 24-unit grid
HEIGHT = 6
COLUMNS = 24 // WIDTH


def dashboard_name(project: str, stack: str, component: str) -> str:
    """`<project>-<stack>-<component>`: unique per stack like the database identifier, in the characters
    PutDashboard takes (alphanumerics, `-`, `_`; sources.PUT_DASHBOARD), at most 255."""
    return _NAME_BAD.sub("-", f"{project}-{stack}-{component}")[:NAME_MAX]


def dashboard_url(region: str, name: str) -> str:
    """The console address of the dashboard (sources.DASHBOARD_CONSOLE_LINK)."""
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={name}"


def _line(
    namespace: str,
    name: str,
    dims: tuple[tuple[str, DimensionValue], ...],
    values: Mapping[str, str],
    stat: str,
    label: str,
) -> list[Any]:
    # [namespace, metricName, dimName, dimValue, ..., {rendering}] (sources.DASHBOARD_BODY).
    row: list[Any] = [namespace, name]
    for dim, value in dims:
        row.extend([dim, values[str(value)] if isinstance(value, Ref) else value])
    row.append({"stat": stat, "label": label})
    return row


def _graph(
    region: str,
    title: str,
    lines: list[list[Any]],
    *,
    period: int = 60,
    limit: tuple[float, str] | None = None,
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "metrics": lines,
        "region": region,
        "title": title,
        "view": "timeSeries",
        "stacked": False,
        "period": period,
    }
    if limit is not None:
        props["annotations"] = {"horizontal": [{"value": limit[0], "label": limit[1]}]}
    return {"type": "metric", "properties": props}


def _text(markdown: str) -> dict[str, Any]:
    return {"type": "text", "properties": {"markdown": markdown}}


def _sections(s: Settings, region: str, values: Mapping[str, str]) -> list[tuple[str, list[dict[str, Any]]]]:
    lam, rds, nat = metrics.LAMBDA, metrics.RDS, metrics.NAT
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for fn in s.functions:
        d: tuple[tuple[str, DimensionValue], ...] = (("FunctionName", Ref("function", fn.name)),)
        graphs = [
            _graph(
                region,
                f"{fn.name}: invocations, errors, throttles",
                [
                    _line(lam, "Invocations", d, values, "Sum", "invocations"),
                    _line(lam, "Errors", d, values, "Sum", "errors"),
                    _line(lam, "Throttles", d, values, "Sum", "throttles"),
                ],
            ),
            _graph(
                region,
                f"{fn.name}: duration (ms)",
                [
                    _line(lam, "Duration", d, values, "p99", "p99"),
                    _line(lam, "Duration", d, values, "Average", "average"),
                ],
                limit=(fn.timeout_s * 1000, "timeout"),
            ),
            _graph(
                region,
                f"{fn.name}: concurrent executions",
                [
                    _line(lam, "ConcurrentExecutions", d, values, "Maximum", "concurrency"),
                ],
                limit=(fn.reserved_concurrency, "reserved") if fn.reserved_concurrency else None,
            ),
        ]
        out.append((f"Function `{fn.name}`", graphs))
    db = s.database
    ident = db.physical_identifier
    w: tuple[tuple[str, DimensionValue], ...] = (
        (("DBClusterIdentifier", ident), ("Role", CLUSTER_WRITER))
        if db.is_aurora
        else (("DBInstanceIdentifier", ident),)
    )
    graphs = [
        _graph(
            region,
            "database: connections",
            [
                _line(rds, "DatabaseConnections", w, values, "Maximum", "connections"),
            ],
            limit=(db.max_connections, "max_connections"),
        ),
        _graph(region, "database: CPU (%)", [_line(rds, "CPUUtilization", w, values, "Average", "CPU")]),
    ]
    if db.serverless is not None:
        graphs.append(
            _graph(
                region,
                "database: capacity (% of max ACU)",
                [
                    _line(rds, "ACUUtilization", w, values, "Maximum", "ACU utilization"),
                ],
                limit=(100, f"{db.serverless.max_capacity:g} ACU"),
            )
        )
    else:
        graphs.append(
            _graph(
                region,
                "database: freeable memory (bytes)",
                [
                    _line(rds, "FreeableMemory", w, values, "Minimum", "freeable memory"),
                ],
                period=300,
            )
        )
    if not db.is_aurora:
        graphs.append(
            _graph(
                region,
                "database: free storage (bytes)",
                [
                    _line(rds, "FreeStorageSpace", w, values, "Minimum", "free storage"),
                ],
                period=300,
            )
        )
    out.append((f"Database `{ident}`", graphs))
    if s.proxy:
        p: tuple[tuple[str, DimensionValue], ...] = (("ProxyName", Ref("proxy")),)
        out.append(
            (
                "RDS Proxy",
                [
                    _graph(
                        region,
                        "proxy: connections",
                        [
                            _line(rds, "ClientConnections", p, values, "Sum", "client"),
                            _line(rds, "DatabaseConnections", p, values, "Sum", "database"),
                        ],
                    ),
                    _graph(
                        region,
                        "proxy: borrow latency (µs)",
                        [
                            _line(
                                rds,
                                "DatabaseConnectionsBorrowLatency",
                                p,
                                values,
                                "Average",
                                "borrow latency",
                            ),
                        ],
                    ),
                ],
            )
        )
    if s.nat_gateway_count:
        lines_err, lines_drop = [], []
        for i in range(s.nat_gateway_count):
            n: tuple[tuple[str, DimensionValue], ...] = (("NatGatewayId", Ref("nat", str(i))),)
            lines_err.append(_line(nat, "ErrorPortAllocation", n, values, "Sum", f"nat-{i}"))
            lines_drop.append(_line(nat, "PacketsDropCount", n, values, "Sum", f"nat-{i}"))
        out.append(
            (
                "NAT gateways",
                [
                    _graph(region, "NAT: port allocation errors", lines_err, period=300),
                    _graph(region, "NAT: packets dropped", lines_drop, period=300),
                ],
            )
        )
    return out


def dashboard_body(s: Settings, region: str, component: str, values: Mapping[str, str]) -> str:
    """The DashboardBody JSON: a text header per section, then its graphs, laid out on the 24-unit grid.
    ``values`` maps each `Ref` (as `str(ref)`) to its resolved value (function name, proxy name, NAT id)."""
    widgets: list[dict[str, Any]] = []
    y = 0
    for title, graphs in _sections(s, region, values):
        widgets.append({**_text(f"## {component}: {title}"), "x": 0, "y": y, "width": 24, "height": 1})
        y += 1
        for i, graph in enumerate(graphs):
            widgets.append(
                {
                    **graph,
                    "x": (i % COLUMNS) * WIDTH,
                    "y": y + (i // COLUMNS) * HEIGHT,
                    "width": WIDTH,
                    "height": HEIGHT,
                }
            )
        y += HEIGHT * (-(-len(graphs) // COLUMNS))
    return json.dumps({"widgets": widgets}, sort_keys=True)
