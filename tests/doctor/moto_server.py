"""A moto server in its own process on a free loopback port, and the CLI run against it as a subprocess.

The server loads AWS-managed IAM policies (so roles can attach AWSLambdaVPCAccessExecutionRole) and uses
moto's docker-free Lambda backend: ``Invoke`` returns whatever the test queued through moto's
``/moto-api/static/lambda-simple/response`` (or echoes the event), which is how ``--probe`` is tested.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
START_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MotoServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Any  # the server's request log (a file: a pipe nobody reads would fill up and block it)

    def api(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status in (200, 201), answer.status

    def queue_lambda_result(self, payload: str) -> None:
        """The next lambda:Invoke in REGION returns ``payload``."""
        self.api(
            "/moto-api/static/lambda-simple/response",
            {"results": [payload], "region": REGION, "account_id": ACCOUNT},
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def start_moto() -> MotoServer:
    """Start moto_server on 127.0.0.1; raise with its output if it does not come up (never skip)."""
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    last_error = ""
    for _attempt in range(3):  # a free port can be taken between probing and binding
        port = free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 (outlives this function: closed by MotoServer.stop)
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                server = MotoServer(f"http://127.0.0.1:{port}", proc, log)
                server.api("/moto-api/config", {"lambda": {"use_docker": False}})
                return server
            except OSError:
                time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        log.seek(0)
        last_error = log.read().decode(errors="replace")[-2000:]
        log.close()
    raise RuntimeError(f"moto server did not start on 127.0.0.1:\n{last_error}")


def cli_env(url: str) -> dict[str, str]:
    """A clean AWS environment pointing every service at moto, with fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=os.pathsep.join(str(REPO / p) for p in ("components", "functions")),
    )
    return env


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))


def run_doctor(
    url: str, *args: str, timeout: float = 90, env: dict[str, str | None] | None = None
) -> CliResult:
    """``lambda-rds doctor ARGS`` as a subprocess against the moto server (in ``env``, None removes a key)."""
    full = cli_env(url)
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    proc = subprocess.run(
        [sys.executable, "-m", "lambda_rds.commands.cli", "doctor", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
