"""How many connections a database class can hold, and how much Lambda concurrency that allows.

Pure: used by argument validation (reject a concurrency the database cannot hold) and by the analysis
(the same check on any program's resources). Formulas from shared/REFERENCE.md:

- RDS PostgreSQL / Aurora PostgreSQL: ``LEAST(DBInstanceClassMemory / 9531392, 5000)``
- RDS MySQL: ``DBInstanceClassMemory / 12582880``
- Aurora MySQL: AWS publishes a per-class table (below), not a formula.

``DBInstanceClassMemory`` is below the nominal memory because the OS and RDS processes reserve some.
AWS does not publish the reserve; we model it as 10% of nominal plus 160 MiB, which reproduces the
~80-87 connections observed on db.t3/t4g.micro PostgreSQL (REFERENCE.md) and errs low elsewhere:
an estimate that is too low only makes the concurrency check stricter, never unsafe.
"""

from __future__ import annotations

import math
import re

MIB = 1024 * 1024
GIB = 1024 * MIB

# Nominal memory (GiB) by size suffix for the families we know; the family decides the multiplier.
_BURSTABLE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
_GENERAL_GIB_PER_VCPU = 4  # m-family: 4 GiB per vCPU
_MEMORY_GIB_PER_VCPU = 8  # r-family: 8 GiB per vCPU
_SIZE_VCPU = {
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
}
_BURSTABLE_VCPU = {"micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8}

# Aurora MySQL default max_connections by class (AWS Aurora User Guide, "Maximum connections to an
# Aurora MySQL DB instance"). Classes absent here fall back to the RDS MySQL formula.
_AURORA_MYSQL_MAX_CONNECTIONS = {
    "db.t3.medium": 90,
    "db.t4g.medium": 90,
    "db.t3.large": 135,
    "db.t4g.large": 135,
    "db.r6g.large": 1000,
    "db.r7g.large": 1000,
    "db.r6i.large": 1000,
    "db.r5.large": 1000,
    "db.r6g.xlarge": 2000,
    "db.r7g.xlarge": 2000,
    "db.r5.xlarge": 2000,
    "db.r6g.2xlarge": 3000,
    "db.r7g.2xlarge": 3000,
    "db.r5.2xlarge": 3000,
    "db.r6g.4xlarge": 4000,
    "db.r7g.4xlarge": 4000,
    "db.r5.4xlarge": 4000,
}

# Aurora Serverless v2: each ACU is about 2 GiB of memory (AWS Aurora User Guide).
GIB_PER_ACU = 2

# Connections we never hand to functions: PostgreSQL's superuser_reserved_connections (3) plus room for
# the bootstrap function, an operator's psql and monitoring.
RESERVED_CONNECTIONS = 5
# Fraction of the remaining connections functions may use; the rest is headroom for deploy overlap
# (old and new execution environments hold connections at the same time for a while).
USABLE_FRACTION = 0.9

_CLASS_RE = re.compile(r"^db\.(?P<family>[a-z]+)(?P<gen>\d+)(?P<flags>[a-z]*)\.(?P<size>\w+)$")


class UnknownInstanceClass(ValueError):
    """Raised for a class name we cannot size: the caller turns it into a user-facing error."""


def vcpus(instance_class: str) -> int:
    """vCPUs of an RDS instance class (RDS Proxy bills per vCPU of its target). ``db.t4g.micro`` -> 2."""
    m = _CLASS_RE.match(instance_class)
    if not m:
        raise UnknownInstanceClass(instance_class)
    family, size = m["family"], m["size"]
    if family == "t":
        if size not in _BURSTABLE_VCPU:
            raise UnknownInstanceClass(instance_class)
        return _BURSTABLE_VCPU[size]
    if size not in _SIZE_VCPU:
        raise UnknownInstanceClass(instance_class)
    return _SIZE_VCPU[size]


def nominal_memory_bytes(instance_class: str) -> int:
    """Nominal memory of an RDS instance class. ``db.t4g.micro`` -> 1 GiB, ``db.r6g.large`` -> 16 GiB."""
    m = _CLASS_RE.match(instance_class)
    if not m:
        raise UnknownInstanceClass(instance_class)
    family, size = m["family"], m["size"]
    if family == "t":
        if size not in _BURSTABLE_GIB:
            raise UnknownInstanceClass(instance_class)
        return _BURSTABLE_GIB[size] * GIB
    per_vcpu = {"m": _GENERAL_GIB_PER_VCPU, "r": _MEMORY_GIB_PER_VCPU, "x": 16, "z": 8}.get(family)
    if per_vcpu is None or size not in _SIZE_VCPU:
        raise UnknownInstanceClass(instance_class)
    return _SIZE_VCPU[size] * per_vcpu * GIB


def instance_class_memory(nominal_bytes: int) -> int:
    """Estimated ``DBInstanceClassMemory`` for a nominal memory (see module docstring)."""
    return int(nominal_bytes - 0.10 * nominal_bytes - 160 * MIB)


def max_connections(
    engine: str, instance_class: str | None = None, *, serverless_max_acu: float | None = None
) -> int:
    """Default ``max_connections`` for an engine on a class (or an Aurora Serverless v2 maximum capacity).

    >>> max_connections("postgres", "db.t4g.micro")
    83
    """
    if serverless_max_acu is not None:
        nominal = int(serverless_max_acu * GIB_PER_ACU * GIB)
    elif instance_class is not None:
        if engine == "aurora-mysql" and instance_class in _AURORA_MYSQL_MAX_CONNECTIONS:
            return _AURORA_MYSQL_MAX_CONNECTIONS[instance_class]
        nominal = nominal_memory_bytes(instance_class)
    else:
        raise ValueError("max_connections needs an instance_class or serverless_max_acu")
    memory = instance_class_memory(nominal)
    if engine in ("postgres", "aurora-postgresql"):
        return min(memory // 9531392, 5000)
    if engine in ("mysql", "aurora-mysql"):
        return memory // 12582880
    raise ValueError(f"unknown engine {engine!r}")


def usable_connections(max_conn: int) -> int:
    """Connections Lambda functions may hold in total without a proxy (headroom kept, never negative)."""
    return max(0, math.floor((max_conn - RESERVED_CONNECTIONS) * USABLE_FRACTION))
