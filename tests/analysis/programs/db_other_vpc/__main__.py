"""Pitfall: the database lives in another VPC, with no peering"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(db_in_other_vpc=True)
