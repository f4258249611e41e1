"""Pitfall: the role has AWSLambdaBasicExecutionRole but not AWSLambdaVPCAccessExecutionRole"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_lib"))

from pitfall_topology import build

build(vpc_access_policy=False)
