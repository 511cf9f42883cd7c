"""Stop reading Bedrock shortly before the function's own deadline, even if a socket read is blocked.

Two guards: a check of the remaining time before each event, and a watchdog timer (``threading.Timer``) that
closes the :class:`~bedrock_stream.chat.EventStream` at the deadline, which unblocks a pending read. Whatever
the closed stream then raises (or a premature end) is reported as :class:`~bedrock_stream.errors.DeadlineError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from bedrock_stream.chat import EventStream
from bedrock_stream.errors import AppError, DeadlineError, MidStreamError
from bedrock_stream.events import BedrockEvent

__all__ = ["Deadline", "guarded_events"]


class Deadline:
    """The point ``margin_ms`` before the function times out, with a watchdog that closes a stream then."""

    def __init__(self, remaining_ms: Callable[[], int], margin_ms: int) -> None:
        self._remaining_ms = remaining_ms
        self._margin_ms = margin_ms
        self._timer: threading.Timer | None = None
        self._fired = threading.Event()
        self.close_error: BaseException | None = None
        """What ``close()`` raised in the watchdog thread, kept for the caller (never swallowed silently)."""

    @property
    def fired(self) -> bool:
        """True once the watchdog closed the stream."""
        return self._fired.is_set()

    def expired(self) -> bool:
        """True when less than the margin remains (or the watchdog fired)."""
        return self.fired or self._remaining_ms() <= self._margin_ms

    def error(self) -> DeadlineError:
        """The error that ends the stream."""
        return DeadlineError(
            f"stopped reading the model: the function timeout is {self._margin_ms} ms away",
            code="FunctionDeadline",
        )

    def watch(self, stream: EventStream) -> None:
        """Arm the watchdog for ``stream``."""
        budget_s = max(0.0, (self._remaining_ms() - self._margin_ms) / 1000)

        def fire() -> None:
            self._fired.set()
            try:
                stream.close()
            except Exception as exc:  # reported by the reading thread through close_error
                self.close_error = exc

        self._timer = threading.Timer(budget_s, fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        """Disarm the watchdog."""
        if self._timer is not None:
            self._timer.cancel()


def guarded_events(stream: EventStream, deadline: Deadline) -> Iterator[BedrockEvent]:
    """Iterate ``stream`` until it ends or the deadline is near; raise AppError subclasses only."""
    deadline.watch(stream)
    try:
        iterator = iter(stream)
        while True:
            if deadline.expired():
                raise deadline.error()
            try:
                event = next(iterator)
            except StopIteration:
                if deadline.fired:
                    raise deadline.error() from deadline.close_error
                return
            except AppError as exc:
                if deadline.fired:
                    raise deadline.error() from exc
                raise
            except Exception as exc:
                if deadline.fired:
                    raise deadline.error() from exc
                raise MidStreamError(f"the model stream failed: {exc}", code=type(exc).__name__) from exc
            yield event
    finally:
        deadline.cancel()
