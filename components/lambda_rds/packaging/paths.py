"""Where the Lambda code lives (in the wheel or the repository's functions/) and a program's project dir."""

from __future__ import annotations

import inspect
import sysconfig
from pathlib import Path
from types import FrameType

import yaml

# This file is lambda_rds/packaging/paths.py: the package root is two levels up.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def functions_dir() -> Path:
    """The folder holding `app/`, `bootstrap/` and the runtime package (docs/architecture.md)."""
    installed = _PACKAGE_DIR / "_functions"
    if installed.is_dir():
        return installed
    repo = _PACKAGE_DIR.parent.parent / "functions"
    if repo.is_dir():
        return repo
    raise FileNotFoundError(
        "lambda-rds cannot find its Lambda code: neither "
        f"{installed} (installed wheel) nor {repo} (source checkout) exists"
    )


def repo_root() -> Path | None:
    """The source checkout's root, or None when running from an installed wheel."""
    root = _PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() else None


# The names Pulumi finds a project by, in its order (pulumi/pulumi sdk/go/common/workspace/paths.go
# findProjectInDir, over encoding.Exts: ".json", ".yaml", ".yml").
PROJECT_FILES = ("Pulumi.json", "Pulumi.yaml", "Pulumi.yml")


def _program_dir(folder: Path) -> Path | None:
    """The folder `pulumi up` runs the program of a project in ``folder`` from, or None when ``folder`` has no
    project file. The CLI makes it the working directory: the project folder, or the folder `main:` names
    (a file's folder) "so that any relative paths inside of the program are correct" (pulumi/pulumi
    pkg/engine/project.go getPwdMain)."""
    project_file = next((folder / n for n in PROJECT_FILES if (folder / n).is_file()), None)
    if project_file is None:
        return None
    try:
        main = (yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}).get("main")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return folder  # a project file Pulumi itself would refuse: the folder is the best answer left
    if not isinstance(main, str) or not main:
        return folder
    target = (folder / main).resolve()
    return target if target.is_dir() else target.parent


def _installed_code_roots() -> tuple[Path, ...]:
    """Folders of installed code (stdlib, site-packages, console scripts such as `pytest`): a frame there is
    a tool's or a library's, not the program's."""
    paths = sysconfig.get_paths()
    roots = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib", "scripts")}
    return tuple(Path(r).resolve() for r in roots if r)


def project_dir(frame: FrameType | None = None) -> Path:
    """The folder relative `code:` and `migrations_dir:` paths are taken from: the one `pulumi up` runs the
    program in (and makes the working directory), found from the program's source rather than the cwd.

    Walking outward from ``frame`` (default: the caller's), the first frame that is neither lambda-rds
    itself nor installed code (stdlib, site-packages, console scripts: pytest, pulumi, runpy) and has a
    Pulumi project file in its file's folder or above names the project; the answer is that project's
    folder, or the folder its `main:` names. Under `pulumi up` that is the working directory the CLI set;
    under pytest it is the same folder, whichever directory pytest was started from. With no such frame
    (an interactive session, a program outside any project), the current directory, as before.
    """
    installed = _installed_code_roots()
    current = frame if frame is not None else inspect.currentframe()
    while current is not None:
        filename = current.f_code.co_filename
        current = current.f_back
        if not filename or filename.startswith("<"):
            continue  # <string>, <frozen runpy>, <stdin>: no file to start from
        path = Path(filename).resolve()
        if path.is_relative_to(_PACKAGE_DIR) or any(path.is_relative_to(root) for root in installed):
            continue
        for folder in path.parents:
            found = _program_dir(folder)
            if found is not None:
                return found
    return Path.cwd()
