"""Pulumi property paths, as ``ignoreChanges`` and ``replaceOnChanges`` hold them, read as the engine does.

The engine parses each entry with ``resource.ParsePropertyPath``: names joined by ``.``, array indices in
``[0]``, keys that are not plain names quoted in ``["key.with.dots"]``, and ``*`` (or ``[*]``) matching
every element or key at its level: ``tags["owner"]``, ``vpcConfig.subnetIds[0]``, ``tags.*``.

- ``ignoreChanges``: the engine replaces the new input at each path with the old one (a path the old
  inputs lack is removed from the new), so a difference under an ignored path is no change at all
  (``keep_old``).
- ``replaceOnChanges``: the engine turns a diff entry into a replacement when the entry's path lies under
  one of the listed paths (``PropertyPath.Contains``): ``tags.owner`` replaces on a change of that tag, not
  on a change of another one (``replaces``).
Source: sources.PULUMI_IGNORE_CHANGES, sources.PULUMI_REPLACE_ON_CHANGES.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Segment = str | int
WILDCARD = "*"


def parse(path: str) -> list[Segment]:
    """``path`` as its segments: names and quoted keys as str, indices as int, ``*`` for a wildcard.

    >>> parse('tags["a.b"].x[0]')
    ['tags', 'a.b', 'x', 0]
    >>> parse("tags.*")
    ['tags', '*']

    A malformed path (an unclosed bracket) raises ValueError naming it (the engine refuses it too).
    """
    out: list[Segment] = []
    i, n = 0, len(path)
    name = ""
    while i < n:
        ch = path[i]
        if ch == ".":
            if name:
                out.append(name)
            name = ""
            i += 1
        elif ch == "[":
            if name:
                out.append(name)
            name = ""
            end = path.find("]", i)
            if path.startswith('["', i):
                close = path.find('"]', i + 2)
                if close < 0:
                    raise ValueError(f'property path {path!r}: unclosed ["')
                out.append(path[i + 2 : close].replace('\\"', '"'))
                i = close + 2
                continue
            if end < 0:
                raise ValueError(f"property path {path!r}: unclosed [")
            inner = path[i + 1 : end]
            out.append(WILDCARD if inner == WILDCARD else int(inner) if inner.isdigit() else inner)
            i = end + 1
        else:
            name += ch
            i += 1
    if name:
        out.append(name)
    return out


def _set(value: Any) -> bool:
    return value is not None


def _child(value: Any, seg: Segment) -> Any:
    if isinstance(value, Mapping) and isinstance(seg, str):
        return value.get(seg)
    if isinstance(value, (list, tuple)) and isinstance(seg, int):
        return value[seg] if 0 <= seg < len(value) else None
    return None


def keep_old(old: Any, new: Any, path: list[Segment]) -> Any:
    """``new`` with the value at ``path`` taken from ``old`` (absent in ``old``: removed from ``new``), as the
    engine applies an ``ignoreChanges`` entry."""
    if not path:
        return old
    seg, rest = path[0], path[1:]
    if seg == WILDCARD:
        if isinstance(new, Mapping) or isinstance(old, Mapping):
            o = old if isinstance(old, Mapping) else {}
            nw = new if isinstance(new, Mapping) else {}
            out = {k: keep_old(o.get(k), nw.get(k), rest) for k in (*nw, *(k for k in o if k not in nw))}
            return {k: v for k, v in out.items() if _set(v)}
        if isinstance(new, (list, tuple)):
            o_list = list(old) if isinstance(old, (list, tuple)) else []
            return [keep_old(o_list[i] if i < len(o_list) else None, v, rest) for i, v in enumerate(new)]
        return new
    if isinstance(seg, int):
        if isinstance(new, (list, tuple)) and 0 <= seg < len(new):
            items = list(new)
            items[seg] = keep_old(_child(old, seg), items[seg], rest)
            return items
        return new
    if isinstance(new, Mapping):
        out = dict(new)
        kept = keep_old(_child(old, seg), new.get(seg), rest)
        if _set(kept):
            out[seg] = kept
        else:
            out.pop(seg, None)
        return out
    if new is None and isinstance(old, Mapping) and rest == [] and seg in old:
        return {seg: old[seg]}
    return new


def select(value: Any, path: list[Segment]) -> list[Any]:
    """The values at ``path`` inside ``value`` (``*`` selects every element or key), in a stable order."""
    if not path:
        return [value]
    seg, rest = path[0], path[1:]
    if seg == WILDCARD:
        if isinstance(value, Mapping):
            return [x for k in sorted(value, key=str) for x in [k, *select(value[k], rest)]]
        if isinstance(value, (list, tuple)):
            return [x for v in value for x in select(v, rest)]
        return [None]
    return select(_child(value, seg), rest)


__all__ = ["WILDCARD", "keep_old", "parse", "select"]
