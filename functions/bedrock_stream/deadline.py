"""Stop reading Bedrock shortly before the function's own deadline, even if a socket read is blocked.

Two guards: a check of the remaining time before each event, and a watchdog that closes the
:class:`~bedrock_stream.chat.EventStream` at the deadline, which unblocks a pending read. Whatever the closed stream
then raises (or a premature end) is reported as :class:`~bedrock_stream.errors.DeadlineError`.

The watchdog is one long-lived daemon thread per process (:class:`Watchdog`), not a ``threading.Timer`` per request:
arming it is a heap push under a lock, while starting a thread cost ~0.3 ms of every request's time to first byte.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator

from bedrock_stream.chat import EventStream
from bedrock_stream.errors import AppError, DeadlineError, MidStreamError
from bedrock_stream.events import BedrockEvent

__all__ = ["Deadline", "Watchdog", "guarded_events"]


class Watchdog:
    """Runs each scheduled callback in one daemon thread at its due time, unless it was cancelled first.

    The thread starts with the first :meth:`schedule` (and again if it ever died). Callbacks must not raise.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._wake = threading.Condition()
        self._due: list[tuple[float, int, Callable[[], None]]] = []  # heap of (due time, handle, callback)
        self._handles = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, delay_s: float, callback: Callable[[], None]) -> int:
        """Run ``callback`` after ``delay_s`` seconds; returns the handle for :meth:`cancel`."""
        with self._wake:
            handle = next(self._handles)
            heapq.heappush(self._due, (self._clock() + delay_s, handle, callback))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="deadline-watchdog", daemon=True)
                self._thread.start()
            elif self._due[0][1] == handle:
                self._wake.notify()  # due before whatever the thread is sleeping until
        return handle

    def cancel(self, handle: int) -> None:
        """Drop a scheduled callback (no effect once it has started)."""
        with self._wake:
            self._due = [entry for entry in self._due if entry[1] != handle]
            heapq.heapify(self._due)

    def _run(self) -> None:
        with self._wake:
            while True:
                if not self._due:
                    self._wake.wait()
                    continue
                delay_s = self._due[0][0] - self._clock()
                if delay_s > 0:
                    self._wake.wait(delay_s)
                    continue
                callback = heapq.heappop(self._due)[2]
                self._wake.release()
                try:
                    callback()
                finally:
                    self._wake.acquire()


_WATCHDOG = Watchdog()


class Deadline:
    """The point ``margin_ms`` before the function times out, with a watchdog that closes a stream then."""

    def __init__(self, remaining_ms: Callable[[], int], margin_ms: int, watchdog: Watchdog = _WATCHDOG) -> None:
        self._remaining_ms = remaining_ms
        self._margin_ms = margin_ms
        self._watchdog = watchdog
        self._handle: int | None = None
        self._fired = threading.Event()
        self.close_error: BaseException | None = None
        """What ``close()`` raised in the watchdog thread, kept for the caller (never swallowed silently)."""

    @property
    def fired(self) -> bool:
        """True once the watchdog closed the stream."""
        return self._fired.is_set()

    def seconds_left(self) -> float:
        """Seconds until the margin (negative once past it): the budget of the pre-stream Bedrock call."""
        return (self._remaining_ms() - self._margin_ms) / 1000

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

        self._handle = self._watchdog.schedule(budget_s, fire)

    def cancel(self) -> None:
        """Disarm the watchdog."""
        if self._handle is not None:
            self._watchdog.cancel(self._handle)
            self._handle = None


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
