"""One normalised resource shape for every source the analysis reads.

Sources: the mock capture (``lambda_rds.commands.capture``), ``pulumi preview --json``
(``from_preview_json``), CrossGuard's ``PolicyResource`` (``lambda_rds.commands.crossguard``) and, for
``doctor``, boto3 describe calls.

What a source must provide, whatever it is: the Pulumi type token (``aws:ec2/subnet:Subnet``), a logical
name, the physical id when known, and the resource's properties keyed camelCase exactly as the engine
names them (``vpcId``, ``availabilityZone``, ``vpcConfig.subnetIds``). ``build.py`` documents which keys it
reads per type; a boto3 adapter fills those keys from ``Describe*`` answers and leaves the rest out.

Values the engine does not know yet (during a preview) are the engine's own sentinel strings; the model
treats them as "unknown", never as a real value (see ``is_unknown``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The engine's placeholders for values computed during `pulumi up` (same strings in every SDK).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN,
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    }
)


def is_unknown(value: Any) -> bool:
    """True for the engine's "not known until apply" placeholders."""
    return isinstance(value, str) and value in _UNKNOWN_SENTINELS


@dataclass(frozen=True, eq=False)
class Resource:
    """A resource as the analysis sees it.

    ``parent`` is the parent's URN (None at the top level); ``urn`` identifies the resource uniquely within
    a source (sources without URNs, such as boto3, use the ARN or id). ``custom`` is False for component
    resources, which only shape the report's tree.
    """

    type: str
    name: str
    id: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    urn: str = ""
    custom: bool = True
    secret_keys: frozenset[str] = frozenset()
    """Input keys whose value is (or holds) a Pulumi secret: never printed, shown as ``[secret]``."""
    aliases: tuple[str, ...] = ()
    """URNs this resource was known by before (``opts.aliases``, its parents' aliases applied)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The Pulumi resource options the change list honours, as the program set them (``protect``,
    ``ignoreChanges``, ``deleteBeforeReplace``, ``replaceOnChanges``, ``retainOnDelete``); empty when the
    source does not say."""

    def get(self, key: str, default: Any = None) -> Any:
        """A property, outputs first (they include what the provider computed), then inputs."""
        if key in self.outputs and self.outputs[key] is not None:
            return self.outputs[key]
        value = self.inputs.get(key)
        return default if value is None else value

    @property
    def key(self) -> str:
        """The resource's unique key: its URN when it has one, else type and name."""
        return self.urn or f"{self.type}::{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "id": self.id,
            "urn": self.urn,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": _plain(self.inputs),
            "outputs": _plain(self.outputs),
        }


def _plain(value: Any) -> Any:
    """A JSON-safe copy (assets, archives and other SDK objects become their repr)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    asset = _asset(value)
    return asset if asset is not None else repr(value)


def _asset(value: Any) -> Any:
    """Assets and archives by what they hold, not by object identity, so two runs (and two checkouts)
    render the same: file name (the packager puts a content digest in it), URI, text digest, or the
    entries of an AssetArchive."""
    kind = "archive" if "Archive" in type(value).__name__ else "asset"
    if "pulumi.asset" not in type(value).__module__:
        return None
    path = getattr(value, "path", None)
    if isinstance(path, str):
        return f"{kind}:{path.replace(chr(92), '/').rsplit('/', 1)[-1]}"
    uri = getattr(value, "uri", None)
    if isinstance(uri, str):
        return f"{kind}:{uri}"
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return f"{kind}:sha256:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    assets = getattr(value, "assets", None)
    if isinstance(assets, Mapping):
        return {str(k): _plain(v) for k, v in sorted(assets.items())}
    return None


def make_urn(stack: str, project: str, type_chain: str, name: str) -> str:
    """A URN in the engine's format (``urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME``)."""
    return f"urn:pulumi:{stack}::{project}::{type_chain}::{name}"


def name_from_urn(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def stack_from_urn(urn: str) -> str | None:
    """``urn:pulumi:dev::proj::type::name`` -> ``dev``."""
    if not urn.startswith("urn:pulumi:"):
        return None
    return urn[len("urn:pulumi:") :].split("::", 1)[0]


def from_dicts(items: Iterable[Mapping[str, Any]]) -> list[Resource]:
    """Resources from their ``Resource.to_json`` form (plan JSON, recorded fixtures, a boto3 adapter)."""
    out = []
    for item in items:
        out.append(
            Resource(
                type=str(item["type"]),
                name=str(item.get("name") or name_from_urn(str(item.get("urn", "")))),
                id=str(item.get("id") or ""),
                inputs=dict(item.get("inputs") or {}),
                outputs=dict(item.get("outputs") or {}),
                parent=item.get("parent") or None,
                urn=str(item.get("urn") or ""),
                custom=bool(item.get("custom", True)),
                secret_keys=frozenset(item.get("secret_keys") or ()),
                aliases=tuple(item.get("aliases") or ()),
                options=dict(item.get("options") or {}),
            )
        )
    return out


SECRET_MARK = "[secret]"


def public_inputs(resource: Resource) -> dict[str, Any]:
    """The resource's inputs, JSON-safe, with every secret input replaced by ``[secret]``."""
    return {
        str(k): SECRET_MARK if k in resource.secret_keys else _plain(v) for k, v in resource.inputs.items()
    }


def from_preview_json(document: Mapping[str, Any] | str) -> list[Resource]:
    """Resources from ``pulumi preview --json`` output (its ``steps[].newState``).

    Deleted resources are left out (they will not exist after the update). For resources the preview
    creates, ids and computed outputs are unknown: references between new resources cannot be resolved,
    and the checks that need them answer "unknown" instead of guessing.
    """
    doc = json.loads(document) if isinstance(document, str) else document
    out: list[Resource] = []
    for step in doc.get("steps", []) or []:
        op = step.get("op")
        state = step.get("newState")
        if op in ("delete", "discard", "remove-pending-replace") or not state:
            continue
        type_token = str(state.get("type") or step.get("type") or "")
        if type_token in ("pulumi:pulumi:Stack",) or type_token.startswith("pulumi:providers:"):
            continue
        urn = str(state.get("urn") or step.get("urn") or "")
        rid = state.get("id") or ""
        out.append(
            Resource(
                type=type_token,
                name=name_from_urn(urn),
                id="" if is_unknown(rid) else str(rid),
                inputs=dict(state.get("inputs") or {}),
                outputs=dict(state.get("outputs") or {}),
                parent=state.get("parent") or None,
                urn=urn,
                custom=bool(state.get("custom", True)),
            )
        )
    return _drop_stack_parent(out)


def _drop_stack_parent(resources: list[Resource]) -> list[Resource]:
    """Parents that are not in the list (the Stack) become None, so top-level means top-level."""
    urns = {r.urn for r in resources}
    return [
        r
        if r.parent is None or r.parent in urns
        else Resource(
            r.type,
            r.name,
            r.id,
            r.inputs,
            r.outputs,
            None,
            r.urn,
            r.custom,
            r.secret_keys,
            r.aliases,
            r.options,
        )
        for r in resources
    ]


def parse_json_property(value: Any) -> Any:
    """Policy documents arrive as JSON strings or already-parsed objects: always return the object."""
    if isinstance(value, str):
        if is_unknown(value):
            return None
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
