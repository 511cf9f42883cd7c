"""Start the real runtime process (functions/bootstrap) against the in-test Runtime API stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BOOTSTRAP = ROOT / "functions" / "bootstrap"
HANDLERS = Path(__file__).resolve().parent / "handlers"


def lambda_env(address: str, handler: str, **extra: str) -> dict[str, str]:
    """The environment Lambda gives a function process (plus PYTHONPATH for the test handlers)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": address,
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": str(ROOT / "functions"),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_LAMBDA_FUNCTION_NAME": "wire-test",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/wire-test",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/21/[$LATEST]0123456789abcdef",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",  # what the stack configures (infra/streaming_function.py)
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(HANDLERS),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TZ": ":UTC",
    }
    env.update(extra)
    return env


class RuntimeProcess:
    """The runtime process; stderr is kept for log assertions."""

    def __init__(
        self, env: dict[str, str], log_path: Path, cwd: Path | None = None, pass_fds: tuple[int, ...] = ()
    ) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(BOOTSTRAP), sys.executable, "/var/runtime/bootstrap.py"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            pass_fds=pass_fds,
        )

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        return self.proc.returncode

    def wait(self, timeout: float = 15.0) -> int:
        code = self.proc.wait(timeout=timeout)
        self._log.close()
        return code

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def start_runtime(tmp_path: Path) -> Iterator[object]:
    """``start_runtime(address, handler, cwd=None, pass_fds=(), **env) -> RuntimeProcess``; every process is stopped
    at teardown."""
    started: list[RuntimeProcess] = []

    def start(
        address: str, handler: str, cwd: Path | None = None, pass_fds: tuple[int, ...] = (), **extra: str
    ) -> RuntimeProcess:
        log_path = tmp_path / f"runtime-{len(started)}.log"
        proc = RuntimeProcess(lambda_env(address, handler, **extra), log_path, cwd=cwd, pass_fds=pass_fds)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
