"""Fit the pre-stream Bedrock call (every attempt, every retry) into the time the invocation has left.

The client's static ``Config`` (``connect_timeout``, ``read_timeout``, ``retries.total_max_attempts``; botocore
config.html) is the most a call may take; but a Bedrock that stalls before its response headers would otherwise hold
each attempt for the whole read timeout, and three of them can outlast the function's timeout (the Runtime API's
``Lambda-Runtime-Deadline-Ms``, runtimes-api.html; Lambda then kills the process and the caller gets no answer).
So, while :func:`within_budget` is active for a call, two botocore event handlers, installed once on the client by
:func:`install`, derive each attempt from the remaining budget (the time until the deadline margin):

- ``before-send``: an attempt needs ``connect_timeout + MIN_READ_S`` of budget, else the call ends with a 504
  :class:`~bedrock_stream.errors.DeadlineError` without sending. Otherwise its read timeout becomes
  ``budget - connect_timeout`` (at most the configured one), set through the request context's ``read_timeout``,
  which botocore's ``URLLib3Session`` honours per request (botocore/httpsession.py ``_get_request_timeout``).
- ``needs-retry`` (registered first): when the budget cannot hold the worst standard-mode backoff for this attempt
  (``min(2 ** (attempt - 1), 20)`` s, botocore/retries/standard.py ``ExponentialBackoff``) plus another attempt, it
  raises this attempt's error (the caught exception, or the modelled error of the HTTP response, as
  ``BaseClient._make_api_call`` would), so no retry starts; a 429 stays a 429.

The per-request ``read_timeout`` needs a botocore whose ``URLLib3Session`` reads it (the pinned one does); with an
older one an attempt waits up to the configured read timeout, and the retry budget still holds.

After the response headers, :func:`restore_read_timeout` puts the configured read timeout back on the stream's
socket: from then on the deadline watchdog (``bedrock_stream.deadline``) bounds the stream.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
from collections.abc import Iterator
from typing import Any, Final

from bedrock_stream.chat import CallBudget
from bedrock_stream.errors import DeadlineError

__all__ = ["MIN_READ_S", "CallBudget", "install", "restore_read_timeout", "within_budget"]

MIN_READ_S: Final = 0.5
"""The shortest read timeout worth an attempt (Bedrock answers a healthy request's headers well within it)."""
_MAX_BACKOFF_S: Final = 20.0


_current: contextvars.ContextVar[CallBudget | None] = contextvars.ContextVar("bedrock_call_budget", default=None)


@contextlib.contextmanager
def within_budget(budget: CallBudget | None) -> Iterator[None]:
    """Bound the Bedrock calls made inside the block by ``budget`` (``None``: only the client's Config applies)."""
    token = _current.set(budget)
    try:
        yield
    finally:
        _current.reset(token)


def exhausted_error() -> DeadlineError:
    """The 504 for a call the remaining time cannot hold."""
    return DeadlineError(
        "not enough time left before the function timeout to wait for Bedrock's answer", code="PreStreamDeadline"
    )


class _Handlers:
    def __init__(self, client: Any, connect_timeout: float, read_timeout: float) -> None:
        self.client = client
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def before_send(self, request: Any, **_: Any) -> None:
        budget = _current.get()
        if budget is None:
            return
        read_timeout = budget.seconds_left() - self.connect_timeout
        if read_timeout < MIN_READ_S:
            raise exhausted_error()
        context = getattr(request, "context", None)
        if isinstance(context, dict):
            context["read_timeout"] = min(read_timeout, self.read_timeout)

    def needs_retry(
        self, attempts: int, response: Any = None, caught_exception: Any = None, operation: Any = None, **_: Any
    ) -> None:
        budget = _current.get()
        if budget is None:
            return  # the standard retry handler decides
        worst_backoff = min(2.0 ** (attempts - 1), _MAX_BACKOFF_S)
        if budget.seconds_left() - worst_backoff >= self.connect_timeout + MIN_READ_S:
            return
        # No time for another attempt: end the call with this attempt's outcome. Raising stops the event here, so
        # the standard handler neither retries nor takes retry quota (returning a value would not work on every
        # botocore: older ones take any non-None answer as a delay to retry after).
        if caught_exception is not None:
            raise caught_exception
        if response is not None:
            http_response, parsed = response
            if getattr(http_response, "status_code", 200) >= 300 and isinstance(parsed, dict):
                code = parsed.get("Error", {}).get("Code")
                raise self.client.exceptions.from_code(code)(parsed, getattr(operation, "name", ""))


def install(client: Any, *, connect_timeout: float, read_timeout: float) -> None:
    """Register the budget handlers on a ``bedrock-runtime`` client (once, at creation)."""
    handlers = _Handlers(client, connect_timeout, read_timeout)
    events = client.meta.events
    events.register("before-send.bedrock-runtime", handlers.before_send, unique_id="bedrock-stream-call-budget-send")
    events.register_first(
        "needs-retry.bedrock-runtime", handlers.needs_retry, unique_id="bedrock-stream-call-budget-retry"
    )


def restore_read_timeout(stream_socket: socket.socket | None, read_timeout: float) -> None:
    """Give an open stream's socket the configured read timeout again (its attempt's budget applied pre-stream)."""
    if stream_socket is not None:
        with contextlib.suppress(OSError):
            stream_socket.settimeout(read_timeout)
