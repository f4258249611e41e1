"""Cold start: `make plan` on a fresh clone with an empty pip cache, in phases, against the network floor.

    python bench/cold_start.py [--runs 3] [--warm-cache] [--overlay Makefile requirements.txt] [--out FILE]

Not part of `make bench`: each run downloads and installs the Pulumi SDKs into a new virtualenv (15-40 s a
run here, plus the floor), so three runs take minutes. Run it from the repository root with Python 3.10+;
it needs `git`, `make` and the package index. It removes its temporary directories when done.

Each run, as a new machine would see it:
  1. `git clone` of this repository (its HEAD; `--overlay PATH...` copies those working-tree files over
     the clone, to measure an uncommitted change to the Makefile or requirements) into a temporary dir;
  2. `make plan` there, timed wall to wall, with `PIP_CACHE_DIR` a new empty directory (`--warm-cache`:
     one cache directory shared by all runs, filled by a first unmeasured run) and `PIP_LOG` set so pip
     writes its timestamped debug log, from which the phases come:
       venv             make start -> first pip log line (virtualenv creation, pip's own start-up),
       build_isolation  the editable install's isolated build environment (hatchling fetched, installed),
       resolve_download index pages fetched, candidates chosen, wheels downloaded,
       build_editable   the editable wheel built,
       install          wheels unpacked (and compiled to bytecode unless the install says --no-compile),
       plan             last pip log line -> make exit (the stamp and the first plan, .pyc cold);
     writing the debug log costs pip a little itself, so the phases slightly overstate pip's share;
  3. `lambda-rds plan` once more in the same clone (.pyc warm): `first_plan_compile_s` = plan - plan_warm,
     what the first plan pays for compiling the modules it imports (with PYTHONDONTWRITEBYTECODE set, as
     on the machine this was written on, no plan caches them: every plan pays it, `plan_warm` included).

Baseline, same run (interleaved): the network floor. The exact wheels pip downloaded in step 2 (from its
log), fetched again by `pip download --no-deps` alone into an empty directory with an empty cache (index
pages + downloads + pip's start-up: what any pip-based install of these wheels pays), and as raw HTTP GETs
of the same URLs (bytes only). `ratio_vs_pip_download` = median `make plan` wall / median `pip download`
wall. The load average is recorded with each run: the machine may be shared.

Output: JSON on stdout (and `--out FILE`): per-run phases, the downloads (file, size), medians and spread.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# pip's log line: "2026-12-06T13:34:28,497   Collecting hatchling>=1.25"; nested pip runs (the isolated build
# environment) are indented by two more spaces than the top-level one.
_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d),(\d{3}) (\s*)(.*)$")
_DOWNLOADING = re.compile(r"Downloading (\S+) \(([\d.]+) (kB|MB|GB|bytes)\)")
_LOOKUP = re.compile(r'Looking up "(https?://\S+?)" in the cache')
_UNITS = {"bytes": 1, "kB": 1000, "MB": 1000**2, "GB": 1000**3}


@dataclass
class PipSession:
    """One pip invocation's timeline (epoch seconds), from its own debug log."""

    start: float
    end: float = 0.0
    marks: dict[str, float] = field(default_factory=dict)


def _epoch(stamp: str, millis: str) -> float:
    # pip formats times in local time (logging.Formatter.formatTime).
    return time.mktime(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S").timetuple()) + int(millis) / 1000


def parse_pip_log(text: str) -> tuple[list[PipSession], list[dict[str, object]]]:
    """Sessions (a new one at each top-level "Using pip") and the wheels downloaded (file, bytes, url).

    `PIP_LOG` reaches the pip runs that fill the editable build's isolated environment too: while the outer
    run builds it, their own lines (unindented) are skipped; the outer run logs their output indented."""
    sessions: list[PipSession] = []
    downloads: list[dict[str, object]] = []
    last_url = ""
    for raw in text.splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        t, indent, msg = _epoch(m.group(1), m.group(2)), len(m.group(3)), m.group(4)
        top = indent == 0
        isolating = bool(sessions) and "isolation_start" in sessions[-1].marks
        isolating = isolating and "isolation_end" not in sessions[-1].marks
        if isolating and top:
            continue  # a nested pip's own log line
        if top and msg.startswith("Using pip "):
            sessions.append(PipSession(start=t))
        if not sessions:
            continue
        s = sessions[-1]
        s.end = t
        if lookup := _LOOKUP.search(msg):
            last_url = lookup.group(1)
        dl = _DOWNLOADING.search(msg)
        # The nested runs' output reaches the outer log twice (progress and debug line): one per file.
        seen = {(d["file"], d["for_build_isolation"]) for d in downloads}
        if dl and (dl.group(1), isolating) not in seen:
            name = dl.group(1)
            url = last_url if last_url.rsplit("/", 1)[-1] == name else ""
            downloads.append(
                {
                    "file": name,
                    "bytes": int(float(dl.group(2)) * _UNITS[dl.group(3)]),
                    "url": url,
                    "for_build_isolation": isolating,
                }
            )
        if top and msg.startswith("Obtaining file:"):
            s.marks.setdefault("isolation_start", t)
        if "Preparing editable metadata" in msg and "finished" in msg:
            s.marks.setdefault("isolation_end", t)
        if top and msg.startswith("Building wheels for collected packages"):
            s.marks.setdefault("build_start", t)
        if top and msg.startswith("Installing collected packages"):
            s.marks.setdefault("install_start", t)
        if top and msg.startswith("Successfully installed"):
            s.marks.setdefault("install_end", t)
    return sessions, downloads


def phases(make_start: float, make_end: float, sessions: list[PipSession]) -> dict[str, float]:
    """Seconds per phase; pip phases summed over its sessions."""
    names = ("build_isolation", "resolve_download", "build_editable", "install", "pip_other")
    out = dict.fromkeys(names, 0.0)
    if not sessions:
        return {"venv": 0.0, **out, "plan": make_end - make_start}
    for s in sessions:
        m = s.marks
        iso = m.get("isolation_end", s.start) - m.get("isolation_start", s.start)
        resolve_end = m.get("build_start", m.get("install_start", s.end))
        resolved = resolve_end - s.start - iso
        build = m.get("install_start", resolve_end) - resolve_end
        install = m.get("install_end", s.end) - m.get("install_start", m.get("install_end", s.end))
        out["build_isolation"] += iso
        out["resolve_download"] += resolved
        out["build_editable"] += build
        out["install"] += install
        out["pip_other"] += (s.end - s.start) - iso - resolved - build - install
    pip_total = sum(s.end - s.start for s in sessions)
    first, last = sessions[0].start, sessions[-1].end
    # Between pip sessions: anything the Makefile runs in between (a venv step, a stamp).
    gaps = (last - first) - pip_total
    return {
        "venv": first - make_start,
        **out,
        "between_pip_runs": gaps,
        "plan": make_end - last,
    }


def _run(cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    started = time.time()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    wall = time.time() - started
    if done.returncode not in ok:
        tail = done.stdout[-1500:] + done.stderr[-1500:]
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{tail}")
    return wall, done.stdout + done.stderr


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cold_run(work: Path, overlay: list[str], cache: Path, target: str) -> dict[str, object]:
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    for rel in overlay:
        shutil.copy2(REPO / rel, clone / rel)
    log = work / "pip.log"
    env = {**os.environ, "PIP_CACHE_DIR": str(cache), "PIP_LOG": str(log)}
    load_before = _load()
    started = time.time()
    _wall, _out = _run(["make", target], clone, env)
    ended = time.time()
    load_after = _load()
    sessions, downloads = parse_pip_log(log.read_text() if log.exists() else "")
    # The same plan again, .pyc warm (no pip log: nothing to install).
    env.pop("PIP_LOG")
    # Exit 1 is a plan that ran and found a failed check: still a full plan.
    plan = [str(clone / ".venv" / "bin" / "lambda-rds"), "plan", "--stack", "dev"]
    plan_warm, _ = _run(plan, clone, env, (0, 1))
    split = phases(started, ended, sessions)
    return {
        "wall_s": round(ended - started, 2),
        "phases_s": {k: round(v, 2) for k, v in split.items()},
        "plan_warm_s": round(plan_warm, 2),
        "first_plan_compile_s": round(split["plan"] - plan_warm, 2),
        "pip_sessions": len(sessions),
        "downloads": downloads,
        "download_bytes": sum(int(d["bytes"]) for d in downloads),  # type: ignore[call-overload]
        "load_avg_before": load_before,
        "load_avg_after": load_after,
    }


def _pins(downloads: list[dict[str, object]]) -> list[str]:
    """`name==version` per wheel file (PEP 427 names: name-version-...); when pip fetched two versions of one
    package while resolving, the later one (the one it installed)."""
    latest: dict[str, str] = {}
    for d in downloads:
        name, version = str(d["file"]).split("-")[:2]
        latest[name.lower()] = version
    return [f"{name}=={version}" for name, version in sorted(latest.items())]


def floor_pip_download(pins: list[str], work: Path) -> float:
    dest, cache = work / "dl", work / "dl-cache"
    dest.mkdir()
    env = {**os.environ, "PIP_CACHE_DIR": str(cache)}
    env.pop("PIP_LOG", None)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(dest), *pins]
    wall, _ = _run(cmd, work, env)
    return wall


def floor_raw_http(urls: list[str]) -> float:
    started = time.time()
    for url in urls:
        with urllib.request.urlopen(url, timeout=120) as response:
            while response.read(1 << 20):
                pass
    return time.time() - started


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="cold runs (default 3)")
    parser.add_argument("--target", default="plan", help="make target (default plan)")
    parser.add_argument("--warm-cache", action="store_true", help="share one pip cache, filled first")
    parser.add_argument("--overlay", nargs="*", default=[], help="working-tree files copied over the clone")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)

    runs: list[dict[str, object]] = []
    floors_pip: list[float] = []
    floors_http: list[float] = []
    with tempfile.TemporaryDirectory(prefix="lambda-rds-cold-") as tmp:
        root = Path(tmp)
        shared_cache = root / "shared-cache"
        if args.warm_cache:
            fill = root / "fill"
            fill.mkdir()
            cold_run(fill, args.overlay, shared_cache, args.target)
            shutil.rmtree(fill)
        for i in range(args.runs):
            work = root / f"run{i}"
            work.mkdir()
            cache = shared_cache if args.warm_cache else work / "pip-cache"
            run = cold_run(work, args.overlay, cache, args.target)
            # Interleaved with the runs, so both see the same network and load.
            downloads = run["downloads"]
            assert isinstance(downloads, list)
            pins = _pins([d for d in downloads if not d["for_build_isolation"]])
            run["floor_pip_download_s"] = round(floor_pip_download(pins, work), 2) if pins else 0.0
            urls = [str(d["url"]) for d in downloads if d["url"]]
            run["floor_raw_http_s"] = round(floor_raw_http(urls), 2) if urls else 0.0
            runs.append(run)
            floors_pip.append(float(run["floor_pip_download_s"]))  # type: ignore[arg-type]
            floors_http.append(float(run["floor_raw_http_s"]))  # type: ignore[arg-type]
            shutil.rmtree(work)

    walls = [float(r["wall_s"]) for r in runs]  # type: ignore[arg-type]
    floor = max(statistics.median(floors_pip), 0.001)
    names = list(runs[0]["phases_s"])  # type: ignore[call-overload]
    summary = {
        "target": f"make {args.target}",
        "cache": "warm (shared)" if args.warm_cache else "cold (empty per run)",
        "overlay": args.overlay,
        # Where it is set, no plan writes .pyc: "plan_warm" then compiles what the install left uncompiled.
        "pythondontwritebytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "runs": len(runs),
        "wall_s": _stats(walls),
        "phases_median_s": {
            n: round(statistics.median(float(r["phases_s"][n]) for r in runs), 2)  # type: ignore[index]
            for n in names
        },
        "plan_warm_median_s": round(statistics.median(float(r["plan_warm_s"]) for r in runs), 2),  # type: ignore[arg-type]
        "floor_pip_download_s": _stats(floors_pip),
        "floor_raw_http_s": _stats(floors_http),
        "ratio_vs_pip_download": round(statistics.median(walls) / floor, 1),
        "meets_target_30s": statistics.median(walls) < 30,
        "per_run": runs,
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
