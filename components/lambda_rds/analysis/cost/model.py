"""The cost estimate's data: lines, what is not included, the egress comparison, and their JSON."""

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["fixed", "usage"]


@dataclass(frozen=True)
class CostLine:
    resource: str
    resource_type: str
    item: str
    kind: Kind
    quantity: float
    unit: str
    unit_price: float | None
    monthly: float | None
    price_keys: tuple[str, ...]
    source: str
    grade: str
    note: str | None = None

    @property
    def flagged(self) -> bool:
        # An unpriced line is listed as unpriced, not as a grade-C figure: it has no figure at all.
        return self.grade == "C" and self.monthly is not None

    @property
    def line_key(self) -> str:
        return f"{self.resource}|{self.item}"

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "resource_type": self.resource_type,
            "item": self.item,
            "kind": self.kind,
            "quantity": round(self.quantity, 6),
            "unit": self.unit,
            "unit_price": self.unit_price,
            "monthly": None if self.monthly is None else round(self.monthly, 4),
            "price_keys": list(self.price_keys),
            "source": self.source,
            "grade": self.grade,
            "flagged": self.flagged,
            "note": self.note,
        }


@dataclass(frozen=True)
class NotIncluded:
    """A usage-dependent cost the estimate leaves out for this stack, and why (what would price it)."""

    item: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {"item": self.item, "why": self.why}


@dataclass(frozen=True)
class EgressOption:
    """What this stack's egress would cost a month with one of the layouts the component offers."""

    option: str
    """``single``, ``per_az``, ``regional`` (NAT gateways), ``instance_single``, ``instance_per_az`` (NAT
    instances, `network.nat_type: instance`) or ``endpoints``."""
    monthly: float | None
    hourly_part: float
    data_part: float
    current: bool
    grade: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "monthly": None if self.monthly is None else round(self.monthly, 2),
            "fixed": round(self.hourly_part, 2),
            "data": round(self.data_part, 2),
            "current": self.current,
            "grade": self.grade,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class CostEstimate:
    currency: str
    region: str
    lines: tuple[CostLine, ...]
    free_tier: bool
    not_included: tuple[NotIncluded, ...] = ()
    egress_comparison: tuple[EgressOption, ...] = ()
    """Shown where it helps choose: the stack pays for egress (NAT gateways, NAT instances or interface
    endpoints) in a VPC it creates. Empty otherwise."""
    egress_basis: str = ""

    @property
    def total(self) -> float:
        return round(sum(line.monthly or 0.0 for line in self.lines), 2)

    def subtotal(self, kind: Kind) -> float:
        return round(sum(line.monthly or 0.0 for line in self.lines if line.kind == kind), 2)

    @property
    def unpriced(self) -> list[CostLine]:
        return [line for line in self.lines if line.monthly is None]

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "monthly_total": self.total,
            "fixed_total": self.subtotal("fixed"),
            "usage_total": self.subtotal("usage"),
            "lambda_free_tier_applied": self.free_tier,
            "lines": [line.to_json() for line in self.lines],
            "flagged_grade_c": [line.line_key for line in self.lines if line.flagged],
            "unpriced": [line.line_key for line in self.unpriced],
            # The totals leave the unpriced lines out: a reader must not take them for the whole bill.
            "total_is_partial": bool(self.unpriced),
            "not_included": [n.to_json() for n in self.not_included],
            "egress_comparison": {
                "basis": self.egress_basis,
                "options": [o.to_json() for o in self.egress_comparison],
            }
            if self.egress_comparison
            else None,
        }
