"""Pitfall: a NACL admitting replies only on 32768-65535 (Lambda uses 1024-65535)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(nacl_reply_from=32768)
