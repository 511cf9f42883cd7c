"""Terminal feedback on stderr: a spinner until the first token, and end-of-stream statistics."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TextIO

from client.events import DoneEvent, ReasoningEvent, StreamEvent, TextEvent

__all__ = ["Spinner", "StreamStats"]

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Spinner:
    """A one-line animated status on ``stream`` (a TTY) until ``stop()``; does nothing when disabled."""

    def __init__(self, stream: TextIO, message: str, *, enabled: bool, interval: float = 0.1) -> None:
        self._stream = stream
        self._message = message
        self._enabled = enabled
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> Spinner:
        """Start animating (in a daemon thread)."""
        if self._enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="spinner", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        started = time.monotonic()
        frame = 0
        while not self._stop.wait(self._interval if frame else 0):
            with self._lock:
                if self._stop.is_set():
                    return
                elapsed = time.monotonic() - started
                self._stream.write(f"\r{_FRAMES[frame % len(_FRAMES)]} {self._message} {elapsed:4.1f}s")
                self._stream.flush()
            frame += 1

    def stop(self) -> None:
        """Stop and erase the status line. Safe to call more than once."""
        if self._thread is None:
            return
        with self._lock:
            self._stop.set()
            self._stream.write("\r\x1b[K")
            self._stream.flush()
        self._thread.join(timeout=1)
        self._thread = None


@dataclass
class StreamStats:
    """Timing and token counts of one streamed response."""

    started: float
    first_token: float | None = None
    finished: float | None = None
    deltas: int = 0
    characters: int = 0
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop_reason: str | None = None

    def observe(self, event: StreamEvent, now: float) -> None:
        """Account for one event received at monotonic time ``now``."""
        if isinstance(event, TextEvent | ReasoningEvent) and event.text:
            if self.first_token is None:
                self.first_token = now
            self.deltas += 1
            self.characters += len(event.text)
        elif isinstance(event, DoneEvent):
            self.stop_reason = event.stop_reason
            if event.usage is not None:
                self.input_tokens = event.usage.input_tokens
                self.output_tokens = event.usage.output_tokens

    def summary(self) -> str:
        """One line, e.g. ``first token 0.21 s · 57 output tokens (12 input) · 1.80 s · 35.8 tokens/s``."""
        end = self.finished if self.finished is not None else time.monotonic()
        duration = end - self.started
        parts = [f"first token {self.first_token - self.started:.2f} s" if self.first_token else "no tokens"]
        if self.output_tokens is not None:
            parts.append(f"{self.output_tokens} output tokens ({self.input_tokens or 0} input)")
        else:
            parts.append(f"{self.deltas} deltas, {self.characters} characters (no usage reported)")
        parts.append(f"{duration:.2f} s")
        generating = end - self.first_token if self.first_token is not None else 0.0
        if self.output_tokens and generating >= 0.05:  # a buffered (json) answer has no generation time to rate
            parts.append(f"{self.output_tokens / generating:.1f} tokens/s")
        if self.stop_reason:
            parts.append(f"stop: {self.stop_reason}")
        return " · ".join(parts)
