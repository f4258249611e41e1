"""Pitfall: the function reads a Secrets Manager secret with neither a NAT gateway nor an endpoint"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(secrets_egress="none")
