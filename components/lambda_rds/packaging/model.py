"""The two types every packaging function shares: the artifact it returns and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PackagingError(RuntimeError):
    """A package could not be built; the message says why and what to do about it."""


@dataclass(frozen=True)
class Artifact:
    """A zip on disk, ready to hand to Pulumi (``pulumi.FileArchive(str(artifact.path))``).

    ``built`` is False only for the offline placeholder layer (see ``build_layer``); such a zip must never be
    deployed, and ``note`` explains how to build the real one.
    """

    path: Path
    sha256: str
    built: bool
    note: str = ""
