"""Pitfall: reserved concurrency 200 against db.t4g.micro (max_connections ~83)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(reserved_concurrency=200)
