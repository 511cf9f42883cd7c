"""``make chat`` serves the Streamlit app on loopback by default, on the port the Makefile and README name."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _chat_command(*overrides: str) -> list[str]:
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is needed for this test")
    dry_run = subprocess.run(
        [make, "-n", "--no-print-directory", "chat", *overrides],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    line = next(line for line in dry_run.splitlines() if "streamlit run client/streamlit_app.py" in line)
    return shlex.split(line)


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_make_chat_binds_loopback_on_port_8501_by_default() -> None:
    argv = _chat_command()
    assert _option(argv, "--server.address") == "127.0.0.1"
    assert _option(argv, "--server.port") == "8501"
    assert "http://127.0.0.1:8501" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_make_chat_host_and_port_can_be_changed() -> None:
    argv = _chat_command("CHAT_HOST=0.0.0.0", "CHAT_PORT=9000")
    assert (_option(argv, "--server.address"), _option(argv, "--server.port")) == ("0.0.0.0", "9000")
