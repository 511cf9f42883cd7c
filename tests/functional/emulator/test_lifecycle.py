"""Clean shutdown: no function process (nor anything it started) outlives the emulator; CLI start-up line."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.functional.emulator.conftest import HANDLERS, ROOT, python_lambda


def _alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    """The pids still alive after waiting (on a pidfd, no polling) up to ``seconds`` for each to exit."""
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            select.select([fd], [], [], seconds)  # readable once the process has terminated
        finally:
            os.close(fd)
    return [pid for pid in pids if _alive(pid)]


def _spawned(url: str) -> list[int]:
    """Ask the demo handler to start a grandchild; returns [function pid, grandchild pid]."""
    response = httpx.get(f"{url}/?mode=spawn", timeout=20.0)
    assert response.status_code == 200
    return [int(x) for x in response.text.split()]


def test_context_manager_exit_kills_every_process_group() -> None:
    with python_lambda(concurrency=2) as emulator:
        pids = list(emulator.pids)
        pids += _spawned(emulator.url)
        assert len(pids) == 4
        assert all(_alive(pid) for pid in pids)
    assert _wait_gone(pids) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_its_url_and_shuts_down_cleanly(sig: signal.Signals) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            "0",
            "--handler",
            "demo.handle",
            "--concurrency",
            "2",
            "--timeout",
            "10",
            "--quiet",
            "--env",
            f"PYTHONPATH={HANDLERS}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"Function URL (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        url = match.group(1)
        assert httpx.get(f"{url}/?lines=2&delay_ms=0", timeout=20.0).content == b"line 0\nline 1\n"
        pids = _spawned(url)
        children = [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        assert len(children) == 2
        os.kill(process.pid, sig)
        assert process.wait(timeout=20) == 0
        assert _wait_gone(pids + children) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
