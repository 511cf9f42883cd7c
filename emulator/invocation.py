"""One invocation as the emulator sees it: the event going in, a bounded stream of response events coming out.

The Runtime API side (one thread per runtime request) produces ``ResponseEvent`` values; the caller side (the
Function URL front or the Invoke API) consumes them in order. Between the two sits a bounded buffer per invocation
(:data:`BUFFER_LIMIT` bytes). While the buffer is full the producer waits only for a caller that keeps reading
(the push-back any TCP reader applies); a caller that reads nothing for :data:`CALLER_STALL_S` while the buffer is
full is cut off (it receives an ``InvocationAborted`` of type :data:`CALLER_TOO_SLOW` and nothing more), exactly as
if it had disconnected, and the function runs on: a stalled or vanished caller never holds the function up.

Exactly one terminal event (``ResponseEnd``, ``FunctionError`` or ``InvocationAborted``) ends every invocation;
whoever delivers it first wins, later ones are ignored (a late response after a timeout, for example). State
rules follow RAPID as described in docs/lambda-streaming.md, "What the emulator assumes" (one response per
invoke; ``/error`` only before a response).
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "BUFFER_LIMIT",
    "CALLER_STALL_S",
    "CALLER_TOO_SLOW",
    "FunctionError",
    "Invocation",
    "InvocationAborted",
    "InvocationStateError",
    "ResponseChunk",
    "ResponseEnd",
    "ResponseEvent",
    "ResponseStart",
    "TerminalEvent",
    "decode_error_body",
]

#: Response bytes an invocation holds for a caller that is behind; beyond it the caller is cut off.
BUFFER_LIMIT = 2 * 1024 * 1024
#: The ``InvocationAborted.error_type`` a cut-off caller receives (the emulator's name; Lambda documents none).
CALLER_TOO_SLOW = "Caller.TooSlow"
#: How long the producer waits, with the buffer full, for a caller that reads nothing before cutting it off.
CALLER_STALL_S = 1.0
_MAX_QUEUED = 65536


@dataclass(frozen=True, slots=True)
class ResponseStart:
    """The runtime opened its ``/response`` (streamed or buffered) with this Content-Type."""

    content_type: str
    streaming: bool


@dataclass(frozen=True, slots=True)
class ResponseChunk:
    """Body bytes, in order, as they arrived from the runtime."""

    data: bytes


@dataclass(frozen=True, slots=True)
class ResponseEnd:
    """The response body ended; error trailers (type, raw base64 body) if the runtime sent them."""

    error_type: str | None = None
    error_body: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionError:
    """The runtime reported the invocation failed (``/error``, or ``/init/error`` before it started)."""

    error_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class InvocationAborted:
    """The platform cut the invocation: timeout, truncated or oversized response, or the process died."""

    error_type: str
    message: str


ResponseEvent = ResponseStart | ResponseChunk | ResponseEnd | FunctionError | InvocationAborted
TerminalEvent = ResponseEnd | FunctionError | InvocationAborted


def decode_error_body(raw: str | None) -> str:
    """The base64 ``Lambda-Runtime-Function-Error-Body`` trailer as text (the raw value if it is not base64)."""
    if not raw:
        return ""
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return raw


class InvocationStateError(Exception):
    """A runtime request that is not allowed in the invocation's current state (RAPID answers 403)."""


@dataclass(slots=True)
class Invocation:
    """An invoke: its inputs, its Runtime API state and the ordered response events for the caller."""

    payload: bytes
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    content_type: str = "application/json"
    client_context: str | None = None
    cognito_identity: str | None = None
    trace_id: str | None = None
    invocation_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    deadline_ms: int = 0
    started_at: float = 0.0
    _responding: bool = False
    _done: bool = False
    _detached: bool = False
    _items: deque[ResponseEvent] = field(default_factory=deque)
    _buffered: int = 0
    _consumed: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _callbacks: list[Callable[[Invocation], None]] = field(default_factory=list)
    terminal: TerminalEvent | None = None

    @property
    def done(self) -> bool:
        """True once a terminal event was delivered."""
        return self._done

    def mark_started(self, timeout_s: float) -> None:
        """Called when ``/next`` hands the invocation out: the deadline starts now."""
        self.started_at = time.monotonic()
        self.deadline_ms = int((time.time() + timeout_s) * 1000)

    def add_done_callback(self, callback: Callable[[Invocation], None]) -> None:
        """Run ``callback(self)`` once, after the terminal event (immediately if already done)."""
        with self._cond:
            if not self._done:
                self._callbacks.append(callback)
                return
        callback(self)

    def begin_response(self) -> None:
        """Claim the single response slot (``/response`` or ``/error``); raises if already used or done."""
        with self._cond:
            if self._done:
                raise InvocationStateError(f"invocation {self.request_id} has already ended")
            if self._responding:
                raise InvocationStateError(f"invocation {self.request_id} already has a response")
            self._responding = True

    def emit(self, event: ResponseStart | ResponseChunk) -> bool:
        """Queue a non-terminal event; False if it was dropped.

        With the buffer full, wait while the consumer keeps reading; cut it off once it has read nothing for
        :data:`CALLER_STALL_S` (see the module doc).
        """
        with self._cond:
            size = len(event.data) if isinstance(event, ResponseChunk) else 0
            deadline, progress = time.monotonic() + CALLER_STALL_S, self._consumed
            while not (self._done or self._detached) and self._full(size):
                if self._consumed != progress:  # the caller is reading: wait for it, as a TCP sender would
                    deadline, progress = time.monotonic() + CALLER_STALL_S, self._consumed
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._done or self._detached:
                return False
            if self._full(size):
                self._detached = True
                self._items.clear()
                self._buffered = 0
                message = (
                    f"the caller fell more than {BUFFER_LIMIT} bytes behind the function and read nothing for "
                    f"{CALLER_STALL_S} s; its response is cut"
                )
                self._items.append(InvocationAborted(CALLER_TOO_SLOW, message))
                self._cond.notify_all()
                return False
            self._items.append(event)
            self._buffered += size
            self._cond.notify_all()
            return True

    def _full(self, size: int) -> bool:
        # a single piece larger than the buffer (a 6 MB buffered response) still goes to a caller that is not behind
        behind = self._buffered > 0 and self._buffered + size > BUFFER_LIMIT
        return behind or len(self._items) >= _MAX_QUEUED

    def _pop(self) -> ResponseEvent:
        event = self._items.popleft()
        self._consumed += 1
        if isinstance(event, ResponseChunk):
            self._buffered -= len(event.data)
        self._cond.notify_all()
        return event

    def finish(self, event: TerminalEvent) -> bool:
        """Deliver the terminal event; False (and ignored) if the invocation had already ended."""
        with self._cond:
            if self._done:
                return False
            self._done = True
            self.terminal = event
            if not self._detached:
                self._items.append(event)
            self._cond.notify_all()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)
        return True

    def next_event(self, timeout: float | None = None) -> ResponseEvent | None:
        """The next event in order, or None if none arrived within ``timeout`` seconds."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                remaining = None if end is None else end - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return self._pop()

    def wait_event(self) -> ResponseEvent:
        """The next event in order, waiting as long as it takes (every invocation ends with a terminal event)."""
        with self._cond:
            self._cond.wait_for(lambda: self._items)
            return self._pop()

    def detach(self) -> None:
        """The caller went away: drop further output (the function keeps running, as on Lambda)."""
        with self._cond:
            self._detached = True
            self._items.clear()
            self._buffered = 0
            self._cond.notify_all()
