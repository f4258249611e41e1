"""Pitfall: none: the seed articles' intended topology, every check passes (the control)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build()
