"""Pitfall: the database security group admits the VPC CIDR instead of the function's security group"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(db_ingress_by_cidr=True)
