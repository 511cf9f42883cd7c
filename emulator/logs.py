"""Captured log lines of the function processes and of the emulator itself (its "platform" lines).

The book is bounded two ways, so a long-running ``make dev`` does not grow with every request: at most ``limit``
lines and ``byte_limit`` bytes of text (the oldest lines go first). A single line is cut at 256 KiB, the largest
log event CloudWatch Logs accepts (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

__all__ = ["LINE_LIMIT", "LogBook", "LogLine"]

LINE_LIMIT = 256 * 1024
"""Characters kept of one line; the rest is replaced by a marker."""
_CUT = " [truncated]"


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line: ``source`` is ``function-N`` or ``emulator``; ``stream`` is stdout, stderr or platform."""

    source: str
    stream: str
    text: str
    time: float


class LogBook:
    """A bounded, thread-safe list of log lines, optionally echoed as they arrive."""

    def __init__(
        self,
        *,
        limit: int = 100_000,
        byte_limit: int = 32 * 1024 * 1024,
        echo: Callable[[LogLine], None] | None = None,
    ) -> None:
        if limit < 1 or byte_limit < 1:
            raise ValueError("limit and byte_limit must be positive")
        self._lines: deque[LogLine] = deque()
        self._limit = limit
        self._byte_limit = byte_limit
        self._bytes = 0
        self._lock = threading.Condition()
        self._echo = echo

    @property
    def size(self) -> int:
        """Characters of text currently kept."""
        with self._lock:
            return self._bytes

    def add(self, source: str, stream: str, text: str) -> None:
        """Record one line (cut at ``LINE_LIMIT``), dropping the oldest lines beyond the bounds."""
        if len(text) > LINE_LIMIT:
            text = text[: LINE_LIMIT - len(_CUT)] + _CUT
        line = LogLine(source, stream, text, time.time())
        with self._lock:
            self._lines.append(line)
            self._bytes += len(text)
            while len(self._lines) > self._limit or (self._bytes > self._byte_limit and len(self._lines) > 1):
                self._bytes -= len(self._lines.popleft().text)
            self._lock.notify_all()
        if self._echo is not None:
            self._echo(line)

    def lines(self) -> list[LogLine]:
        """A snapshot of all lines so far."""
        with self._lock:
            return list(self._lines)

    def wait_for(self, text: str, timeout: float, *, source_prefix: str = "") -> bool:
        """Block until a kept line whose source starts with ``source_prefix`` contains ``text``; False if none did
        within ``timeout`` seconds."""

        def seen() -> bool:
            return any(text in line.text and line.source.startswith(source_prefix) for line in self._lines)

        with self._lock:
            return self._lock.wait_for(seen, timeout)

    def text(self) -> str:
        """All line texts joined with newlines."""
        return "\n".join(line.text for line in self.lines())

    def pump(self, source: str, stream: str, pipe: IO[bytes]) -> threading.Thread:
        """Start a daemon thread copying ``pipe`` line by line into the book until EOF."""

        def run() -> None:
            with pipe:
                for raw in iter(pipe.readline, b""):
                    self.add(source, stream, raw.decode("utf-8", "replace").rstrip("\r\n"))

        thread = threading.Thread(target=run, name=f"log-{source}-{stream}", daemon=True)
        thread.start()
        return thread
