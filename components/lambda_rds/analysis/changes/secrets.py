"""Secret inputs, compared without being written: a salted digest per secret input in the plan JSON.

A plan JSON never holds a secret (``[secret]`` in ``inputs``), so two plans could not tell a changed secret
(the bootstrap Invocation's ``input`` after a database port change, a new app secret version) from an
unchanged one. Each secret input is recorded as ``secret_digests[key]``: ``sha256:`` of

    ``lambda-rds secret v1`` NUL the resource URN NUL the key NUL the value as canonical JSON

and two plans compare digests. Why salted with the URN and the key: equal secrets in two resources (the
master password in a secret version and in the bootstrap input) get different digests, so the report does
not reveal that they are equal, and no precomputed table of common values matches a digest. Why not a
keyed HMAC: the base plan is made elsewhere (the pull-request workflow, another checkout) and offline,
with no key both sides share. What is left: a low-entropy secret could be guessed by hashing candidates
with the (public) URN; under mocks the values digested are mostly the mocks' own (``secure:`` config is a
placeholder, a RandomPassword a mock value), and a real low-entropy secret is a finding of its own.

A renamed resource (an alias carried it over) is salted with its base URN, so a rename alone does not read
as a changed secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from lambda_rds.analysis.model.resources import SECRET_MARK, Resource, public_inputs

SECRET_CHANGED = "changed (secret)"
"""What the change list prints for a secret input that changed: never its value."""
_PREFIX = "[secret sha256:"
_SALT_VERSION = b"lambda-rds secret v1"


def _canonical(value: Any) -> Any:
    """JSON documents held as strings compare by content (a re-serialised payload is the same secret)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return _canonical(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def secret_digest(urn: str, key: str, value: Any) -> str:
    """``sha256:<hex>`` of a secret input (see the module doc for what is hashed and why)."""
    text = json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), default=repr)
    h = hashlib.sha256(_SALT_VERSION)
    for part in (urn, key, text):
        h.update(b"\0" + part.encode("utf-8"))
    return f"sha256:{h.hexdigest()}"


def secret_digests(resource: Resource, urn: str | None = None) -> dict[str, str]:
    """Secret input key -> its digest, salted with ``urn`` (default: the resource's own URN or key). A value
    already masked (a resource read back from a plan JSON) has no digest."""
    salt = urn or resource.key
    plain = public_inputs(Resource(resource.type, resource.name, inputs=resource.inputs))
    return {
        k: secret_digest(salt, k, plain[k])
        for k in sorted(resource.secret_keys)
        if k in plain and plain[k] != SECRET_MARK and not is_digest(plain[k])
    }


def digest_mark(digest: str) -> str:
    """The input value a digest stands for in a diff: compares equal exactly when the secrets are equal."""
    return f"[secret {digest}]"


def is_digest(value: Any) -> bool:
    """Whether ``value`` is a secret input: a digest mark or the plain ``[secret]`` mask."""
    return isinstance(value, str) and (value == SECRET_MARK or value.startswith(_PREFIX))


__all__ = ["SECRET_CHANGED", "digest_mark", "is_digest", "secret_digest", "secret_digests"]
