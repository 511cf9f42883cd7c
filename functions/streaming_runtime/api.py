"""Runtime API client: ``/next``, ``/error``, ``/init/error``, SnapStart's ``/restore/next`` and ``/restore/error``,
and opening streamed ``/response`` requests.

Follows the AWS Lambda developer guide, runtimes-api.html (API version 2018-06-01, including "Restore") and
runtimes-custom.html#runtimes-custom-response-streaming; the restore calls follow ``restore_next`` and
``report_restore_error`` in aws/aws-lambda-python-runtime-interface-client, awslambdaric/lambda_runtime_client.py;
the reply statuses (202, 400, 403, 410, 413, 500) follow
docs/lambda-streaming.md, "Replies". ``/next`` has no client timeout: the process may be
frozen while it waits.
"""

from __future__ import annotations

import http.client
import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Final

from streaming_runtime.context import INVOCATION_ID, lower_headers
from streaming_runtime.errors import ErrorReport, FatalRuntimeApiError
from streaming_runtime.logs import LOGGER_NAME
from streaming_runtime.stream import Reply, ResponseStream
from streaming_runtime.wire import ERROR_TYPE_TRAILER, TRAILER_ANNOUNCEMENT, header_value
from streaming_runtime.xray import XRAY_ERROR_CAUSE

__all__ = ["USER_AGENT", "NextEvent", "RuntimeApiClient", "check_reply"]

USER_AGENT: Final = f"streaming-runtime/0.1 (python/{sys.version_info.major}.{sys.version_info.minor})"
_BASE: Final = "/2018-06-01/runtime"
_RETRIABLE: Final = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
NEXT_RETRY_DELAYS: Final = (0.1, 0.2, 0.4, 0.8)
"""LMI workers: pauses before retrying a failed ``/next`` (5 attempts in all, doubling from 0.1 s), as
``LambdaMultiConcurrentRuntimeClient._get_next_with_backoff`` in awslambdaric/lambda_runtime_client.py does."""

log = logging.getLogger(LOGGER_NAME)


class NextEvent:
    """The raw answer of ``/next``: headers (names lower-cased) and the event payload."""

    __slots__ = ("headers", "payload")

    def __init__(self, headers: Mapping[str, str], payload: bytes) -> None:
        self.headers = headers
        self.payload = payload


def check_reply(reply: Reply, what: str) -> bool:
    """Judge the Runtime API's answer to a ``/response`` or ``/error``; True for 202.

    410 (stale invocation) and other 4xx are logged and the loop continues; 500 raises ``FatalRuntimeApiError``.
    """
    if reply.status == 202:
        return True
    detail = reply.body[:500].decode("utf-8", "replace")
    if reply.status == 500:
        raise FatalRuntimeApiError(f"{what}: Runtime API container error (500): {detail}", status=500, body=reply.body)
    if reply.status == 410:
        log.warning("%s: stale invocation, the Runtime API rejected the late result (410): %s", what, detail)
    else:
        log.error("%s: Runtime API answered %d: %s", what, reply.status, detail)
    return False


class RuntimeApiClient:
    """Talks to ``http://$AWS_LAMBDA_RUNTIME_API/2018-06-01``; one keep-alive connection for ``/next`` and errors,
    a fresh connection for every streamed ``/response``."""

    def __init__(self, address: str, *, multi_concurrent: bool = False) -> None:
        """``multi_concurrent``: this process is one of several LMI workers sharing the environment's Runtime API."""
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise FatalRuntimeApiError(f"AWS_LAMBDA_RUNTIME_API must be host:port, got {address!r}")
        self.host = host.strip("[]")
        self.port = int(port)
        self.multi_concurrent = multi_concurrent
        self._conn = http.client.HTTPConnection(self.host, self.port, timeout=None)

    def close(self) -> None:
        """Close the keep-alive connection."""
        self._conn.close()

    def _request(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        all_headers = {"User-Agent": USER_AGENT, **headers}
        for attempt in (1, 2):
            try:
                self._conn.request(method, path, body, all_headers)
                response = self._conn.getresponse()
                return response.status, lower_headers(response.getheaders()), response.read()
            except _RETRIABLE as exc:
                self._conn.close()
                if attempt == 2:
                    raise FatalRuntimeApiError(f"{method} {path}: Runtime API connection failed: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                self._conn.close()
                raise FatalRuntimeApiError(f"{method} {path}: Runtime API unreachable: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def next_event(self) -> NextEvent:
        """Long-poll ``GET /runtime/invocation/next``. Raises ``FatalRuntimeApiError`` unless it answers 200; an LMI
        worker (``multi_concurrent``) first retries with the ``NEXT_RETRY_DELAYS`` back-off."""
        if not self.multi_concurrent:
            return self._next_once()
        for delay in NEXT_RETRY_DELAYS:
            try:
                return self._next_once()
            except FatalRuntimeApiError as exc:
                log.warning("/next failed, retrying in %.1f s: %s", delay, exc)
                time.sleep(delay)
        return self._next_once()

    def _next_once(self) -> NextEvent:
        status, headers, payload = self._request("GET", f"{_BASE}/invocation/next", None, {})
        if status != 200:
            detail = payload[:500].decode("utf-8", "replace")
            raise FatalRuntimeApiError(f"/next answered {status}: {detail}", status=status, body=payload)
        return NextEvent(headers, payload)

    def _post_error(self, path: str, report: ErrorReport, doc: object, extra: Mapping[str, str]) -> Reply:
        body = json.dumps(doc, separators=(",", ":"), default=str).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            ERROR_TYPE_TRAILER: header_value(report.error_type),
            **extra,
        }
        status, _, data = self._request("POST", path, body, headers)
        return Reply(status, data)

    def post_error(
        self, request_id: str, report: ErrorReport, invocation_id: str | None, xray_cause: str | None = None
    ) -> bool:
        """``POST /runtime/invocation/{id}/error``; True if accepted (202). ``xray_cause`` (the JSON of
        ``streaming_runtime.xray.error_cause``) goes in the ``Lambda-Runtime-Function-XRay-Error-Cause`` header."""
        extra = {INVOCATION_ID: invocation_id} if invocation_id else {}
        if xray_cause:
            extra[XRAY_ERROR_CAUSE] = xray_cause
        path = f"{_BASE}/invocation/{request_id}/error"
        return check_reply(self._post_error(path, report, report.payload(request_id), extra), f"/error {request_id}")

    def post_init_error(self, report: ErrorReport, *, request_id: str | None = None) -> bool:
        """``POST /runtime/init/error``; True if accepted (202). The caller exits afterwards. ``request_id`` (``""``
        for SnapStart's before-snapshot failures, as AWS's runtime client sends it) adds ``requestId`` to the body."""
        doc = report.payload(request_id)
        reply = self._post_error(f"{_BASE}/init/error", report, doc, {})
        if reply.status == 403 and self.multi_concurrent:
            # One init error per environment: another LMI worker's report was accepted first
            # (handle_init_error in awslambdaric/lambda_runtime_client.py suppresses this 403 the same way).
            log.info("/init/error: another runtime worker already reported the init failure (403)")
            return False
        return check_reply(reply, "/init/error")

    def restore_next(self) -> None:
        """SnapStart: ``GET /runtime/restore/next``, which answers only once the environment is resumed from the
        snapshot (the process is frozen meanwhile: no client timeout). Raises ``FatalRuntimeApiError`` unless 200."""
        status, _, body = self._request("GET", f"{_BASE}/restore/next", None, {})
        if status != 200:
            detail = body[:500].decode("utf-8", "replace")
            raise FatalRuntimeApiError(f"/restore/next answered {status}: {detail}", status=status, body=body)

    def post_restore_error(self, report: ErrorReport) -> bool:
        """SnapStart: ``POST /runtime/restore/error`` (an after-restore hook failed); True if accepted (202). The
        body has ``requestId: ""`` like AWS's runtime client sends. The caller exits afterwards."""
        doc = report.payload("")
        return check_reply(self._post_error(f"{_BASE}/restore/error", report, doc, {}), "/restore/error")

    def reconnect(self) -> None:
        """Drop the keep-alive connection; the next call opens a new one (after a SnapStart restore)."""
        self._conn.close()
        self._conn = http.client.HTTPConnection(self.host, self.port, timeout=None)

    def open_response(
        self, request_id: str, content_type: str, invocation_id: str | None, deadline: float | None = None
    ) -> ResponseStream:
        """Open a streamed ``POST /runtime/invocation/{id}/response`` on a new connection; its writes keep
        ``deadline`` (the invocation's, on the ``time.monotonic()`` clock; see ``streaming_runtime.stream``)."""
        headers = [
            ("User-Agent", USER_AGENT),
            ("Content-Type", content_type),
            ("Lambda-Runtime-Function-Response-Mode", "streaming"),
            ("Transfer-Encoding", "chunked"),
            ("Trailer", TRAILER_ANNOUNCEMENT),
        ]
        if invocation_id:
            headers.append((INVOCATION_ID, invocation_id))
        path = f"{_BASE}/invocation/{request_id}/response"
        return ResponseStream.open(self.host, self.port, path, headers, deadline)
