"""Captured log lines of the function processes and of the emulator itself (its "platform" lines)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

__all__ = ["LogBook", "LogLine"]


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line: ``source`` is ``function-N`` or ``emulator``; ``stream`` is stdout, stderr or platform."""

    source: str
    stream: str
    text: str
    time: float


class LogBook:
    """A bounded, thread-safe list of log lines, optionally echoed as they arrive."""

    def __init__(self, *, limit: int = 100_000, echo: Callable[[LogLine], None] | None = None) -> None:
        self._lines: deque[LogLine] = deque(maxlen=limit)
        self._lock = threading.Condition()
        self._echo = echo

    def add(self, source: str, stream: str, text: str) -> None:
        """Record one line."""
        line = LogLine(source, stream, text, time.time())
        with self._lock:
            self._lines.append(line)
            self._lock.notify_all()
        if self._echo is not None:
            self._echo(line)

    def lines(self) -> list[LogLine]:
        """A snapshot of all lines so far."""
        with self._lock:
            return list(self._lines)

    def text(self) -> str:
        """All line texts joined with newlines."""
        return "\n".join(line.text for line in self.lines())

    def wait_for(self, text: str, timeout: float) -> bool:
        """Block until some line contains ``text`` (True), or ``timeout`` seconds pass without one (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: any(text in line.text for line in self._lines), timeout)

    def pump(self, source: str, stream: str, pipe: IO[bytes]) -> threading.Thread:
        """Start a daemon thread copying ``pipe`` line by line into the book until EOF."""

        def run() -> None:
            with pipe:
                for raw in iter(pipe.readline, b""):
                    self.add(source, stream, raw.decode("utf-8", "replace").rstrip("\r\n"))

        thread = threading.Thread(target=run, name=f"log-{source}-{stream}", daemon=True)
        thread.start()
        return thread
