"""Pitfall: none: Secrets Manager reached through a NAT gateway in a public subnet (a passing variant)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(secrets_egress="nat")
