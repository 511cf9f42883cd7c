"""Where the browser tests keep their screenshots (``test-artifacts/browser/``, gitignored), and the summary line
that names it when this run wrote any. A plugin of the root conftest, so that under pytest-xdist the controller,
which prints the summary, has it too (the workers write the files)."""

from __future__ import annotations

import time
from typing import Any

from emulator.launcher import REPO_ROOT

__all__ = ["ARTIFACTS"]

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
_started = time.time()


def pytest_sessionstart(session: Any) -> None:
    global _started
    _started = time.time()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Name the screenshots' folder and count the files this run wrote there."""
    fresh = [path for path in ARTIFACTS.glob("*.png") if path.stat().st_mtime >= _started]
    if fresh:
        terminalreporter.write_line(f"browser test screenshots ({len(fresh)}): {ARTIFACTS}")
