"""Pitfall: reserved concurrency 0: every invocation is throttled"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(reserved_concurrency=0)
