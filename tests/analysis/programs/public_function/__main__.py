"""Pitfall: the function is attached to public subnets (default route to an internet gateway)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(function_in_public_subnets=True)
