"""Read YAML the way the Pulumi CLI reads `Pulumi.<stack>.yaml`: YAML 1.2, where only true/false are booleans.

PyYAML implements YAML 1.1, which also reads ``yes``/``no``/``on``/``off``/``y``/``n`` as booleans; the
Pulumi CLI (Go, yaml.v3) keeps them as strings. Planning with PyYAML's reading would silently turn
``proxy: yes`` into ``true`` while ``pulumi up`` refuses it: the plan must read what the CLI reads. Octal
``010`` is 10 in YAML 1.2 (8 in 1.1) and is read as 10 here too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema booleans and integers."""


def _strip(resolvers: dict[Any, Any], tag: str) -> dict[Any, Any]:
    return {k: [(t, r) for t, r in v if t != tag] for k, v in resolvers.items()}


Yaml12Loader.yaml_implicit_resolvers = _strip(
    _strip(dict(yaml.SafeLoader.yaml_implicit_resolvers), "tag:yaml.org,2002:bool"), "tag:yaml.org,2002:int"
)
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)

# Words YAML 1.1 read as booleans: a value spelled like this is a string to Pulumi, almost never meant.
YAML11_BOOLEAN_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})


def load(text: str) -> Any:
    return yaml.load(text, Loader=Yaml12Loader)
