"""Pitfall: the database VPC is peered but has no route back to the function's subnets"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(db_in_other_vpc=True, peering="one-way")
