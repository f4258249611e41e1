"""Find a function's handler in its code folder by reading the source (Python `ast`), never importing it.

Lambda's Python runtime loads a handler the way ``awslambdaric.bootstrap._get_handler`` does
(``sources.LAMBDA_PYTHON_RIC_BOOTSTRAP``): ``module, function = handler.rsplit(".", 1)``, refuse a module
whose first part is a built-in module, ``importlib.import_module(module.replace("/", "."))`` from the
package's root, then ``getattr(module, function)``; each invocation calls it and marshals the return value
to JSON, without awaiting it. A mistake here passes ``pulumi up`` and fails every invocation
(``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``), so the settings refuse it first.

The module is found as Python's path finder finds it on Lambda's Linux file system: names compared exactly
(a ``Main.py`` is no ``main`` there, whatever this machine's file system says), a regular package before a
module file of the same name, a module file before a namespace folder (so ``a.py`` beside ``a/`` makes
``a.b`` fail: "'a' is not a package"). A top-level name of the standard library is refused: the runtime has
imported many of them (json, logging, os, traceback, importlib, ...) before it loads the handler, so
``import_module`` returns the standard one, not the file.

What counts as the function being defined: a module-level ``def``, a decorated ``async def`` (the decorator
may well return a plain function), a ``class`` (callable), an assignment (``handler = make_handler()``), an
import binding the name, anything under a module-level ``if``/``try``/``with``/``for``/``while``/``match``,
a name some function declares ``global`` (``def _init(): global handler; handler = make()``), a star import
or a module ``__getattr__`` (none of the last three can be followed statically: given the benefit of the
doubt). A bare ``async def`` is refused: the runtime would return an un-awaited coroutine, which it cannot
marshal, on every call.
"""

from __future__ import annotations

import ast
import collections
import gc
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lambda_rds.packaging.zipper import DEFAULT_EXCLUDES, is_excluded

# The Python this runs on: it parses the handler, and can read no newer grammar than its own.
DEPLOYING_PYTHON: tuple[int, int] = (sys.version_info[0], sys.version_info[1])
# Extension modules a handler module may also be (read statically: impossible, so accepted as found).
_EXTENSION_SUFFIXES = (".so", ".pyd")

# Built into the Python Lambda runs (CPython built from source on Amazon Linux: the modules of
# Modules/Setup.bootstrap.in and the core's own, sources.CPYTHON_SETUP_BOOTSTRAP), for Python 3.10 to
# 3.14. awslambdaric refuses a handler module whose first part is one of them ("Cannot use built-in module");
# this machine's sys.builtin_module_names is no guide (Debian's Python and Windows build in other ones).
LAMBDA_BUILTIN_MODULES = frozenset(
    {
        "_abc", "_ast", "_codecs", "_collections", "_datetime", "_functools", "_imp", "_io", "_locale",
        "_opcode", "_operator", "_signal", "_sre", "_stat", "_string", "_suggestions", "_symtable",
        "_sysconfig", "_thread", "_tokenize", "_tracemalloc", "_types", "_typing", "_warnings", "_weakref",
        "array", "atexit", "builtins", "errno", "faulthandler", "gc", "itertools", "marshal", "posix", "pwd",
        "sys", "time", "xxsubtype",
    }
)  # fmt: skip
# Top-level standard modules that came or went between Python versions (sources.PYTHON_WHATS_NEW_3_11,
# _3_12, _3_13): sys.stdlib_module_names is this Python's list, the runtime's may differ.
# PEP 594's dead batteries, removed in 3.13.
_PEP_594 = frozenset(
    {
        "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib",
        "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
    }
)  # fmt: skip
_STDLIB_CHANGES: tuple[tuple[tuple[int, int], frozenset[str], frozenset[str]], ...] = (
    ((3, 11), frozenset({"tomllib"}), frozenset({"binhex"})),
    ((3, 12), frozenset(), frozenset({"asynchat", "asyncore", "distutils", "imp", "smtpd"})),
    ((3, 13), frozenset(), _PEP_594 | {"lib2to3"}),
)


class HandlerProblem(ValueError):
    """The handler cannot be loaded from the code folder. ``on_handler`` says which key to name: the handler
    (a module or function the folder does not have) or the code folder (the default handler's file is missing:
    most likely the wrong folder)."""

    def __init__(self, message: str, *, on_handler: bool) -> None:
        super().__init__(message)
        self.on_handler = on_handler


@dataclass(frozen=True)
class _Binding:
    line: int
    bare_async: bool  # an undecorated `async def`


@dataclass(frozen=True)
class _Found:
    file: Path | None  # what Python would load; None for a namespace folder (a package with no file)
    package: bool  # can hold submodules


def _names(folder: Path) -> set[str]:
    """The exact names in ``folder`` (os.listdir): Lambda's file system is case-sensitive, this one may
    not be (macOS, Windows)."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _extension(folder: Path, names: set[str], stem: str) -> Path | None:
    for name in sorted(names):
        if (
            name.startswith(f"{stem}.")
            and Path(name).suffix in _EXTENSION_SUFFIXES
            and (folder / name).is_file()
        ):
            return folder / name
    return None


def _find(folder: Path, name: str) -> _Found | None:
    """What ``import name`` finds in ``folder``, in the order of importlib's FileFinder
    (sources.PYTHON_PATH_FINDER): a folder with ``__init__`` (a regular package), else a module file
    (extension, then ``.py``), else a folder without ``__init__`` (a namespace package); None if none."""
    names = _names(folder)
    namespace = False
    if name in names and (folder / name).is_dir():
        inner = _names(folder / name)
        init = folder / name / "__init__.py"
        if "__init__.py" in inner and init.is_file():
            return _Found(init, True)
        ext_init = _extension(folder / name, inner, "__init__")
        if ext_init is not None:
            return _Found(ext_init, True)
        namespace = True
    ext = _extension(folder, names, name)
    if ext is not None:
        return _Found(ext, False)
    if f"{name}.py" in names and (folder / f"{name}.py").is_file():
        return _Found(folder / f"{name}.py", False)
    return _Found(None, True) if namespace else None


def _locate(code: Path, module: str) -> tuple[Path | None, str | None]:
    """(the module's file, None), or (None, why Python would not import it: None when simply absent)."""
    parts = module.replace("/", ".").split(".")
    folder = code
    for i, part in enumerate(parts):
        found = _find(folder, part)
        if found is None:
            return None, _case_mismatch(code, folder, part)
        if i == len(parts) - 1:
            return found.file, None
        if not found.package:
            rel = (found.file or folder / part).relative_to(code).as_posix()
            dotted = ".".join(parts[: i + 1])
            return None, (
                f"{rel} in {code} is a module, not a package, and Python imports it before the folder "
                f"{(folder / part).relative_to(code).as_posix()}/ (a folder without __init__.py loses to a "
                "module of the same name): Lambda would fail with "
                f"\"No module named '{module}'; '{dotted}' is not a package\"; rename one of them, or add "
                "__init__.py to the folder"
            )
        folder = folder / part
    return None, None  # not reached: a module has at least one part


def _case_mismatch(code: Path, folder: Path, part: str) -> str | None:
    """Why ``part`` is missing when only its case differs (``Main.py`` for ``main``), else None."""
    wanted = {part.lower(), f"{part.lower()}.py"}
    near = sorted(n for n in _names(folder) if n.lower() in wanted and n not in (part, f"{part}.py"))
    if not near:
        return None
    have = (folder / near[0]).relative_to(code).as_posix()
    return (
        f"{code} has {have}, not {(folder / part).relative_to(code).as_posix()}"
        f"{'' if (folder / near[0]).is_dir() else '.py'}: Lambda's file system is case-sensitive (macOS's "
        "and Windows' are not), so Lambda would fail every invocation with Runtime.ImportModuleError; match "
        "the case of the handler and the file"
    )


def module_file(code: Path, module: str) -> Path | None:
    """The file Python would import for ``module`` (dotted, or with ``/`` as Lambda allows) from ``code``:
    ``a/b/__init__.py`` (a regular package wins), else ``a/b.py`` (or an extension module); None if absent.

    Intermediate folders need no ``__init__.py`` (namespace packages), unless a module file of the same name
    sits beside them. A namespace folder as the module itself holds no function, so it counts as absent."""
    return _locate(code, module)[0]


def _bound_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _bound_names(element)
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)


def _pattern_names(pattern: ast.pattern) -> Iterator[str]:
    """Names a ``case`` pattern binds (``case Foo() as handler``, ``case [*rest]``, ``case {**rest}``)."""
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            yield node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest


def _module_bindings(body: list[ast.stmt]) -> Iterator[tuple[str | None, _Binding]]:
    """(name, binding) for every name the module scope binds; name None for a star import (anything)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bare_async = isinstance(node, ast.AsyncFunctionDef) and not node.decorator_list
            yield node.name, _Binding(node.lineno, bare_async)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for name in _bound_names(target):
                    yield name, _Binding(node.lineno, False)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and (
            not isinstance(node, ast.AnnAssign) or node.value is not None
        ):
            for name in _bound_names(node.target):
                yield name, _Binding(node.lineno, False)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    yield None, _Binding(node.lineno, False)
                else:
                    bound = alias.asname or alias.name.split(".")[0]
                    yield bound, _Binding(node.lineno, False)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                yield from ((n, _Binding(node.lineno, False)) for n in _pattern_names(case.pattern))
                yield from _module_bindings(case.body)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or (
            sys.version_info >= (3, 11) and isinstance(node, ast.TryStar)
        ):
            for field in ("body", "orelse", "finalbody"):
                yield from _module_bindings(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _module_bindings(handler.body)
            if isinstance(node, (ast.For, ast.With)):
                targets = (
                    [node.target]
                    if isinstance(node, ast.For)
                    else [item.optional_vars for item in node.items if item.optional_vars is not None]
                )
                for target in targets:
                    for name in _bound_names(target):
                        yield name, _Binding(node.lineno, False)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            # `(handler := make())` at module level binds in the module scope.
            for sub in ast.walk(node):
                if isinstance(sub, ast.NamedExpr):
                    yield from ((n, _Binding(sub.lineno, False)) for n in _bound_names(sub.target))


def _global_declarations(tree: ast.Module) -> Iterator[tuple[str, _Binding]]:
    """Names a function (or method) declares ``global``: what it assigns to them binds at module level once
    it runs (``def _init(): global handler; handler = make()`` then ``_init()``): benefit of the doubt."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            yield from ((name, _Binding(node.lineno, False)) for name in node.names)


def _runtime_version(runtime: str) -> tuple[int, int] | None:
    """(3, 12) for ``python3.12``; None for anything else."""
    major, _, minor = runtime.removeprefix("python").partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else None


def stdlib_module_names(target: tuple[int, int] | None) -> frozenset[str]:
    """The top-level standard module names of Python ``target`` (this Python's when None)."""
    names = set(sys.stdlib_module_names)
    if target is not None:
        for version, added, removed in _STDLIB_CHANGES:
            names = (names | added) - removed if target >= version else (names - added) | removed
    return frozenset(names)


def _check_module_name(module: str, target: tuple[int, int] | None) -> None:
    top = module.replace("/", ".").split(".")[0]
    if top in LAMBDA_BUILTIN_MODULES:
        raise HandlerProblem(
            f"module {module!r} is a built-in module name, which Lambda's Python runtime refuses as a "
            'handler module ("Cannot use built-in module"); rename the file',
            on_handler=True,
        )
    # sources.PYTHON_STDLIB_MODULE_NAMES, adjusted to the runtime's version.
    if top in stdlib_module_names(target):
        raise HandlerProblem(
            f"module {module!r}: {top!r} is a Python standard library module, which Lambda would load "
            "instead of the file (its runtime imports json, logging, os, traceback, importlib and more "
            "before the handler; the others shadow or are shadowed by the file); rename the file",
            on_handler=True,
        )


def _parse(source: bytes, path: Path, feature_version: tuple[int, int] | None) -> ast.Module:
    # Parse-time warnings (an invalid escape like "\\d+": DeprecationWarning before 3.12, SyntaxWarning
    # since) are the code's business, not a refusal: under -W error (PYTHONWARNINGS=error, pytest's
    # filterwarnings=error) ast.parse would turn them into a SyntaxError, and print noise otherwise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _parse_without_gc(source, path, feature_version)
        except SystemError:
            # The parse was disturbed from outside (see _parse_without_gc: another thread collected
            # garbage, or a finalizer ran without the collector): the source is not at fault, and a
            # second parse, undisturbed, answers. A second SystemError is a real interpreter error.
            return _parse_without_gc(source, path, feature_version)


# CPython 3.11 and 3.12 keep ast.parse's recursion depth count in interpreter-wide state: an ast.parse run
# by a finalizer while another is converting its tree (the garbage collector can run any finalizer at any
# allocation) leaves the outer one counting wrong, and it raises "SystemError: AST constructor recursion
# depth mismatch". 3.11's traceback caret finder parses source from a finalizer whenever asyncio logs
# "Future exception was never retrieved", so a Pulumi program's settings check hit it now and then. The
# lock keeps this module's own parses (threads) from turning the collector back on under each other.
_GC_LOCK = threading.RLock()


def _parse_without_gc(source: bytes, path: Path, feature_version: tuple[int, int] | None) -> ast.Module:
    """``ast.parse`` with the garbage collector off, as it was left after (no finalizer of cyclic garbage
    can run in the middle of the parse)."""
    with _GC_LOCK:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return ast.parse(source, filename=str(path), feature_version=feature_version)
        finally:
            if enabled:
                gc.enable()


# What a handler file binds at module level, by (path, grammar, source bytes): a program of many components
# whose functions share a handler file (the default app) parses it once, not once per component (issue 19).
# Keyed by the bytes read now, never by mtime, so an edited file is parsed again however fast it changed.
_BINDINGS_CACHE: collections.OrderedDict[
    tuple[str, tuple[int, int] | None, bytes], tuple[tuple[str | None, _Binding], ...]
] = collections.OrderedDict()
_BINDINGS_CACHE_SIZE = 64
_BINDINGS_LOCK = threading.Lock()


def _syntax_problem(
    exc: SyntaxError,
    rel_path: str,
    code: Path,
    runtime: str,
    target: tuple[int, int] | None,
    here: tuple[int, int],
) -> str:
    """The warning for a syntax error this older Python may only misread; `HandlerProblem` otherwise."""
    if target is not None and target > here:
        return (
            f"{rel_path} in {code} could not be checked for {runtime}: this Python "
            f"({here[0]}.{here[1]}) finds a syntax error at line {exc.lineno} ({exc.msg}), which may be "
            f"{runtime} syntax it does not know; if it is a mistake, Lambda fails every invocation with "
            f"Runtime.UserCodeSyntaxError. Deploy with Python {target[0]}.{target[1]} or newer to check "
            "it"
        )
    raise HandlerProblem(
        f"{rel_path} in {code} line {exc.lineno}: syntax error ({exc.msg}) under {runtime}: Lambda would "
        "fail every invocation with Runtime.UserCodeSyntaxError",
        on_handler=False,
    ) from None


def check_handler(code: Path, handler: str, runtime: str, *, explicit: bool) -> str | None:
    """Raise `HandlerProblem` unless ``code`` holds ``handler``'s module and the module defines the function.

    ``explicit``: the handler was set by the user (a missing module is the handler's fault), rather than the
    default ``handler.handler`` (a missing ``handler.py`` is most likely the wrong code folder).

    Returns a warning when the check could not be finished: the module has a syntax error for this Python,
    which is older than ``runtime`` and so may only lack the runtime's newer grammar.
    """
    module, _, function = handler.rpartition(".")
    target = _runtime_version(runtime)
    _check_module_name(module, target)
    path, problem = _locate(code, module)
    rel = module.replace(".", "/") + ".py"
    if path is None:
        hint = (
            "name a module.function the folder has"
            if explicit
            else f"the handler defaults to {handler!r}: point code at the folder with {rel}, or set handler"
        )
        raise HandlerProblem(
            problem
            or (
                f"{code} has no {rel} (nor {rel[:-3]}/__init__.py) for the handler {handler!r}: "
                f"Lambda would fail every invocation with Runtime.ImportModuleError; {hint}"
            ),
            on_handler=explicit,
        )
    rel_path = path.relative_to(code).as_posix()
    if is_excluded(rel_path, DEFAULT_EXCLUDES):
        raise HandlerProblem(
            f"{rel_path} in {code} is left out of the function's package (caches and test folders are: "
            f"{', '.join(DEFAULT_EXCLUDES)}); move the handler's module out of it",
            on_handler=True,
        )
    if path.suffix != ".py":
        return None  # an extension module: nothing to read
    here = DEPLOYING_PYTHON
    source = path.read_bytes()
    # Parse with the function's runtime grammar where this Python knows it (feature_version cannot go
    # higher than the running interpreter).
    feature_version = target if target and target <= here else None
    key = (str(path), feature_version, source)
    with _BINDINGS_LOCK:
        every = _BINDINGS_CACHE.get(key)
        if every is not None:
            _BINDINGS_CACHE.move_to_end(key)
    if every is None:
        try:
            tree = _parse(source, path, feature_version)
        except SyntaxError as exc:
            return _syntax_problem(exc, rel_path, code, runtime, target, here)
        every = (*_module_bindings(tree.body), *_global_declarations(tree))
        with _BINDINGS_LOCK:
            _BINDINGS_CACHE[key] = every
            while len(_BINDINGS_CACHE) > _BINDINGS_CACHE_SIZE:
                _BINDINGS_CACHE.popitem(last=False)
    bindings = [b for name, b in every if name in (function, None, "__getattr__")]
    if not bindings:
        raise HandlerProblem(
            f"{rel_path} in {code} defines no {function!r} at module level: Lambda would fail every "
            f"invocation with Runtime.HandlerNotFound; define def {function}(event, context) there, or name "
            "the function it has",
            on_handler=True,
        )
    if all(b.bare_async for b in bindings):
        raise HandlerProblem(
            f"{rel_path} line {bindings[-1].line}: {function!r} is an async def; Lambda's Python runtime "
            "calls the handler without awaiting it, so every invocation would return an un-awaited coroutine "
            "it cannot marshal; make it a plain def that runs asyncio.run(...) on the coroutine",
            on_handler=True,
        )
    return None
