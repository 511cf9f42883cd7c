"""Demo handler for the emulator tests: streams numbered lines with a delay, with failure variants.

Query parameters (Function URL events) or top-level keys (direct invokes):

* ``lines`` (default 5), ``delay_ms`` (default 20), ``size`` (pad each line to this many bytes)
* ``mode``: ``ok`` (default), ``raise`` (exception before returning), ``raise_mid`` (exception after ``after`` lines,
  default 2), ``sleep`` (sleep ``seconds`` before returning, to run past the timeout), ``sleep_mid`` (stream
  ``after`` lines then sleep ``seconds``), ``event`` (the received event as JSON), ``empty`` (no body),
  ``exit`` (kill the process with ``os._exit(3)`` while handling), ``spawn`` (start a ``sleep 600`` child process
  and return its pid: for tests that check no process outlives the emulator)
* ``status``, ``header`` (repeatable ``name:value``, comma-joined by the URL), ``cookie`` (repeatable)

Handler string: ``demo.handle`` with ``tests/handlers`` on the path (``LocalLambda(extra_paths=[...])``).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

from streaming_runtime import StreamingResponse


class DemoError(Exception):
    """The failure the demo raises on purpose."""


def _params(event: Any) -> dict[str, str]:
    if isinstance(event, dict):
        query = event.get("queryStringParameters")
        if isinstance(query, dict):
            return {str(k): str(v) for k, v in query.items()}
        return {str(k): str(v) for k, v in event.items() if isinstance(v, str | int | float)}
    return {}


def _line(index: int, size: int) -> bytes:
    text = f"line {index}"
    if size > len(text) + 1:
        text += " " + "x" * (size - len(text) - 2)
    return (text + "\n").encode()


def _lines(
    count: int, delay: float, size: int, fail_after: int | None, sleep_after: tuple[int, float] | None
) -> Iterator[bytes]:
    for index in range(count):
        if fail_after is not None and index == fail_after:
            raise DemoError(f"failed after {index} lines")
        if sleep_after is not None and index == sleep_after[0]:
            time.sleep(sleep_after[1])
        yield _line(index, size)
        if delay:
            time.sleep(delay)


def handle(event: Any, context: Any) -> StreamingResponse:
    """Stream ``lines`` numbered lines; see the module docstring for the variants."""
    params = _params(event)
    mode = params.get("mode", "ok")
    count = int(params.get("lines", "5"))
    delay = float(params.get("delay_ms", "20")) / 1000
    size = int(params.get("size", "0"))
    after = int(params.get("after", "2"))
    seconds = float(params.get("seconds", "5"))
    headers = {"content-type": "text/plain; charset=utf-8"}
    for item in params.get("header", "").split(","):
        name, sep, value = item.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    cookies = [c for c in params.get("cookie", "").split(",") if c]
    status = int(params.get("status", "200"))
    if mode == "raise":
        raise DemoError("failed before returning")
    if mode == "sleep":
        time.sleep(seconds)
    if mode == "exit":
        os._exit(3)
    if mode == "spawn":
        child = subprocess.Popen(["sleep", "600"])
        return StreamingResponse(body=[f"{os.getpid()} {child.pid}\n".encode()])
    if mode == "event":
        body: Any = [json.dumps(event).encode()]
        headers["content-type"] = "application/json"
    elif mode == "empty":
        body = ()
    else:
        fail_after = after if mode == "raise_mid" else None
        sleep_after = (after, seconds) if mode == "sleep_mid" else None
        body = _lines(count, delay, size, fail_after, sleep_after)
    return StreamingResponse(status_code=status, headers=headers, cookies=cookies, body=body)
