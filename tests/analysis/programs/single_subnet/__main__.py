"""Pitfall: the function is attached to a single subnet (one AZ)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(single_function_subnet=True)
