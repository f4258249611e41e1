"""Run a Pulumi Python program offline, under recording mocks, and return what it would register.

This is the one module of the plan that touches the Pulumi runtime. It loads the stack's config the way the
CLI would (``Pulumi.yaml`` defaults, then ``Pulumi.<stack>.yaml``), runs the program's ``__main__.py``
through ``lambda_rds.testing.mocks.run_program`` (a fresh, isolated runtime per run, settled the way the
language host does it), and records each resource with its parent: a ``MockMonitor`` subclass sees the
parent URN that ``MockResourceArgs`` does not carry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc as pulumi_rpc
from pulumi.runtime import settings as pulumi_settings

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.commands import yaml12
from lambda_rds.settings import ConfigError
from lambda_rds.testing.mocks import RecordingMocks, encode_config, run_program

# Values we cannot decrypt (``secure:`` config) are replaced by this placeholder: no secret is needed to plan.
SECRET_PLACEHOLDER = "mock-secret-value"


def secret_placeholder(ciphertext: object) -> str:
    """The mock value of one ``secure:`` config value: the placeholder and a short digest of its ciphertext.
    Why the digest: a real preview sees a new secret value (a changed API key makes its function an update,
    its secret version a replacement), and so must the change list; a constant placeholder hid it. A new
    ciphertext is a new value as far as the plan can tell (re-setting the same value re-encrypts it with a
    new nonce, so it also reads as changed). The ciphertext is in the stack file already: its digest tells
    nothing about the value."""
    digest = hashlib.sha256(str(ciphertext).encode("utf-8")).hexdigest()[:12]
    return f"{SECRET_PLACEHOLDER}-{digest}"


class CaptureError(Exception):
    """The program or its configuration could not be run. ``details`` holds the program's traceback."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


@dataclass
class Capture:
    """What one run of a program registered."""

    project: str
    stack: str
    program_dir: Path
    resources: list[Resource]
    exports: dict[str, Any]
    config: dict[str, str]
    raw_config: dict[str, Any] = field(default_factory=dict)
    mocks: RecordingMocks | None = None
    messages: list[str] = field(default_factory=list)
    """What the program logged at warning level or above (``pulumi.log.warn``/``error``)."""

    def by_name(self, name: str) -> Resource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]


# ---- configuration -----------------------------------------------------------------------------------
def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        # YAML 1.2, as the Pulumi CLI reads stack files: `yes` stays a string (and is then refused).
        doc = yaml12.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CaptureError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise CaptureError(f"{path}: expected a mapping at the top level")
    return doc


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def program_entry(project_dir: Path) -> Path:
    """The Python file the Pulumi CLI would run for the project in ``project_dir``: ``__main__.py`` of the
    project folder, or of the folder (or the file) that ``main:`` in Pulumi.yaml names."""
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise CaptureError(
            f"{project_dir} is not a Pulumi project: Pulumi.yaml not found here or in a parent folder "
            "(run in the project folder or pass --program)"
        )
    main_opt = _read_yaml(project_file).get("main")
    target = (project_dir / str(main_opt)).resolve() if main_opt else project_dir
    entry = target if target.is_file() else target / "__main__.py"
    if not entry.is_file():
        where = f"{target} (main: {main_opt})" if main_opt else str(target)
        raise CaptureError(f"{where}: no __main__.py (only Python programs can be planned offline)")
    return entry


def load_config(program_dir: Path, stack: str) -> tuple[str, dict[str, Any]]:
    """The project name and the stack's effective config (qualified keys, parsed values, not yet encoded)."""
    project_file = program_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise CaptureError(f"{program_dir} is not a Pulumi project: Pulumi.yaml not found")
    project_doc = _read_yaml(project_file)
    project = str(project_doc.get("name") or "project")
    values: dict[str, Any] = {}
    for key, spec in (project_doc.get("config") or {}).items():
        qualified = _qualify(str(key), project)
        if isinstance(spec, Mapping):
            if "value" in spec:
                values[qualified] = spec["value"]
            elif "default" in spec:
                values[qualified] = spec["default"]
        else:
            values[qualified] = spec
    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        for key, value in (_read_yaml(stack_file).get("config") or {}).items():
            if isinstance(value, Mapping) and set(value) == {"secure"}:
                value = secret_placeholder(value["secure"])
            values[_qualify(str(key), project)] = value
    else:
        others = sorted(p.name for p in program_dir.glob("Pulumi.*.yaml"))
        if others:  # the project has stacks, just not this one: most likely a typo
            raise CaptureError(
                f"stack {stack!r}: {stack_file.name} not found in {program_dir} (found {', '.join(others)})"
            )
    return project, values


# ---- the recording monitor ---------------------------------------------------------------------------
def _holds_secret(value: Any) -> bool:
    """True when a serialized property value (a protobuf ``Value``) is, or contains, a Pulumi secret."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        sig = fields.get(pulumi_rpc._special_sig_key)
        if sig is not None and sig.string_value == pulumi_rpc._special_secret_sig:
            return True
        return any(_holds_secret(v) for v in fields.values())
    if kind == "list_value":
        return any(_holds_secret(v) for v in value.list_value.values)
    return False


def _secret_keys(properties: Any) -> frozenset[str]:
    """The top-level input keys of a registration whose value is (or holds) a secret."""
    fields = getattr(properties, "fields", None) or {}
    return frozenset(str(k) for k, v in fields.items() if _holds_secret(v))


def _options(request: Any) -> dict[str, Any]:
    """The resource options the change list honours, from the registration request (``MockResourceArgs``
    does not carry them; the request does): only those set, so a plan JSON stays small; and the
    request's ``propertyDependencies`` (input key -> the URNs it was computed from)."""
    out: dict[str, Any] = {}
    for key in ("protect", "deleteBeforeReplace", "retainOnDelete"):
        if getattr(request, key, False):
            out[key] = True
    for key in ("ignoreChanges", "replaceOnChanges"):
        values = [str(v) for v in getattr(request, key, ()) or ()]
        if values:
            out[key] = sorted(values)
    # Which resources each input was computed from: a replaced resource's id is unknown during a preview,
    # and the change list carries that only to the inputs that really came from it.
    deps = getattr(request, "propertyDependencies", None) or {}
    held = {str(k): sorted(str(u) for u in v.urns) for k, v in deps.items() if list(v.urns)}
    if held:
        out["propertyDependencies"] = held
    return out


class _TreeMonitor(pulumi_mocks.MockMonitor):
    """Records each registration's URN and parent URN next to the mocks' own record (same index)."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recorder = mocks
        self.lock = threading.Lock()
        self.meta: dict[int, tuple[str, str]] = {}
        self.stack_urn = ""
        self.secret_keys: dict[int, frozenset[str]] = {}
        self.alias_urns: dict[str, tuple[str, ...]] = {}
        self.options: dict[int, dict[str, Any]] = {}

    def _tracked(self, request: Any, call: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = urn
            return call(request)
        # Serialised so the index of the record the mocks append is known.
        with self.lock:
            before = len(self.recorder.resources)
            aliases = self._aliases(request, urn)
            if aliases:  # the engine keeps an aliased resource's identity: so do the mocks
                self.recorder.alias_names[request.name] = aliases[-1].rsplit("::", 1)[-1]
            response = call(request)
            if len(self.recorder.resources) == before + 1:
                self.meta[before] = (urn, request.parent)
                self.secret_keys[before] = _secret_keys(request.object)
                self.alias_urns[urn] = aliases
                self.options[before] = _options(request)
        return response

    def _aliases(self, request: Any, urn: str) -> tuple[str, ...]:
        """The URNs the resource was known by: its own ``opts.aliases`` (alias specs or URNs) and, as the
        engine derives them, one per alias of its parent (a child named after its parent is renamed with
        it: ``orders-v2-db`` under an alias ``orders`` is also ``orders-db``)."""
        out: list[str] = list(getattr(request, "aliasURNs", ()) or ())
        # `aliases` holds Alias messages (a URN or a spec); `aliasSpecs` is only the flag saying so.
        for alias in getattr(request, "aliases", ()) or ():
            if alias.urn:
                out.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            candidate = self.make_urn(parent, spec.type or request.type, spec.name or request.name)
            if spec.stack or spec.project:
                _, _, _, rest = candidate.split(":", 3)
                _stack, _project, tail = rest.split("::", 2)
                candidate = f"urn:pulumi:{spec.stack or _stack}::{spec.project or _project}::{tail}"
            out.append(candidate)
        parent_name = request.parent.rsplit("::", 1)[-1] if request.parent else ""
        for parent_alias in self.alias_urns.get(request.parent, ()):
            name = request.name
            if parent_name and name.startswith(parent_name):
                name = parent_alias.rsplit("::", 1)[-1] + name[len(parent_name) :]
            out.append(self.make_urn(parent_alias, request.type, name))
        return tuple(dict.fromkeys(u for u in out if u != urn))

    def RegisterResource(self, request: Any) -> Any:
        return self._tracked(request, super().RegisterResource)

    def ReadResource(self, request: Any) -> Any:
        return self._tracked(request, super().ReadResource)


def _resources(monitor: _TreeMonitor, mocks: RecordingMocks) -> list[Resource]:
    out = []
    for i, rec in enumerate(mocks.resources):
        urn, parent = monitor.meta.get(i, ("", ""))
        out.append(
            Resource(
                type=rec.type,
                name=rec.name,
                id=rec.id or "",
                inputs=dict(rec.inputs),
                outputs=dict(rec.outputs),
                parent=None if not parent or parent == monitor.stack_urn else parent,
                urn=urn,
                custom=rec.custom,
                secret_keys=monitor.secret_keys.get(i, frozenset()),
                aliases=monitor.alias_urns.get(urn, ()),
                options=monitor.options.get(i, {}),
            )
        )
    # Registration order is not deterministic: sort so two runs give identical reports.
    return sorted(out, key=lambda r: (r.urn, r.type, r.name))


# ---- running -----------------------------------------------------------------------------------------
async def _stack_exports() -> dict[str, Any]:
    """What the program passed to `pulumi.export`, resolved."""
    return await _resolve_exports(getattr(pulumi_settings.get_root_resource(), "outputs", {}) or {})


async def _resolve_exports(outputs: Mapping[str, Any]) -> dict[str, Any]:
    resolved = {}
    for key, value in outputs.items():
        resolved[key] = await pulumi.Output.from_input(value).future()
    return resolved


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


def _program_logger() -> tuple[logging.Logger, _Collect]:
    """A private logger for the mock engine: the program's warnings go into the report, not onto stderr."""
    logger = logging.getLogger(f"lambda_rds.commands.capture.program.{id(object())}")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    collect = _Collect()
    logger.handlers = [collect]
    return logger, collect


def capture(
    program_dir: str | Path | None = None,
    stack: str = "dev",
    *,
    mocks: RecordingMocks | None = None,
    config_overrides: Mapping[str, Any] | None = None,
) -> Capture:
    """Run the program in ``program_dir`` (default: the current directory) for ``stack`` under mocks.

    Raises ``CaptureError`` when the project or config cannot be read or the program fails; the error's
    ``details`` carries the program's traceback.
    """
    directory = Path(program_dir or Path.cwd()).resolve()
    main = program_entry(directory)
    project, raw = load_config(directory, stack)
    raw.update(config_overrides or {})
    config = encode_config(raw)
    region = str(raw.get("aws:region") or "us-east-1")
    mocks = mocks or RecordingMocks(region=region)

    saved_env = os.environ.get("LAMBDA_RDS_PACKAGING")
    saved_path = list(sys.path)
    saved_cwd = os.getcwd()
    os.environ["LAMBDA_RDS_PACKAGING"] = "offline"  # the packager never touches the network during a plan
    sys.path.insert(0, str(main.parent))
    os.chdir(main.parent)  # programs resolve relative paths from their folder, as under the CLI
    logger, collected = _program_logger()
    try:
        monitor = _TreeMonitor(mocks)
        exports = (
            run_program(
                lambda: runpy.run_path(str(main), run_name="__main__"),
                mocks,
                project=project,
                stack=stack,
                config=config,
                monitor=monitor,
                logger=logger,
                finish=lambda: _resolve_exports(
                    getattr(pulumi_settings.get_root_resource(), "outputs", {}) or {}
                ),
            )
            or {}
        )
    except (ConfigError, pulumi.RunError) as exc:
        # A configuration mistake: its one-line message says everything; a traceback would bury it.
        raise CaptureError(f"stack {stack!r}: {exc}") from None
    except Exception as exc:  # the program's own error, reported with its traceback
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise CaptureError(
            f"the program failed for stack {stack!r}: {type(exc).__name__}: {exc}", details
        ) from exc
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        if saved_env is None:
            os.environ.pop("LAMBDA_RDS_PACKAGING", None)
        else:
            os.environ["LAMBDA_RDS_PACKAGING"] = saved_env
    logging.Logger.manager.loggerDict.pop(logger.name, None)
    if not raw.get("aws:region"):  # said once: the plan's AZs and prices are this Region's
        collected.messages.insert(
            0,
            f"note: Region: {mocks.region} assumed (no aws:region in the config of stack {stack}): its AZs "
            "and prices are used; set aws:region to plan another",
        )
    return Capture(
        project, stack, directory, _resources(monitor, mocks), exports, config, raw, mocks, collected.messages
    )
