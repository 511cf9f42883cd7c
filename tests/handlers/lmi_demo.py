"""Test handler for Lambda Managed Instances (several invocations at once in one execution environment).

Event keys (top-level, or the query string of a Function URL event):

* ``tag``: names the invocation; its body is :func:`expected_body` of the tag and ``chunks``.
* ``chunks`` (default 4): how many chunks are streamed.
* ``rendezvous`` (``host:port`` of ``tests.support.rendezvous.Rendezvous``) and ``parties``: after writing chunk k
  the handler waits at step ``chunk-k`` until ``parties`` handlers got there, so N invocations stream interleaved,
  and can only finish if they really run at once.
* ``exit``: the worker process exits at once with that status (a crashed worker).
* ``hold``: before returning, wait at step ``hold-<tag>`` with 2 parties (the test lets it go); ``hold_parties``
  changes that number.

Each chunk is logged (``logging``), so a test can check that every record carries its own invocation's request id.
Import this module only from the function process: it imports the runtime's ``StreamingResponse`` and the
rendezvous client (``tests/support`` must be importable, the repo root on ``PYTHONPATH``).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from streaming_runtime import StreamingResponse
from tests.support.rendezvous import meet

log = logging.getLogger("lmi_demo")


def chunk(tag: str, index: int) -> bytes:
    """The deterministic bytes of chunk ``index`` of invocation ``tag`` (distinct per tag and index)."""
    digest = hashlib.sha256(f"{tag}/{index}".encode()).hexdigest()
    return f"{tag}:{index}:{digest}\n".encode()


def expected_body(tag: str, chunks: int = 4) -> bytes:
    """The whole body invocation ``tag`` streams."""
    return b"".join(chunk(tag, index) for index in range(chunks))


def _params(event: Any) -> dict[str, str]:
    if not isinstance(event, dict):
        return {}
    query = event.get("queryStringParameters")
    source = query if isinstance(query, dict) else event
    return {str(k): str(v) for k, v in source.items() if isinstance(v, str | int)}


def _body(params: dict[str, str], request_id: str) -> Iterator[bytes]:
    tag = params["tag"]
    address = params.get("rendezvous")
    parties = int(params.get("parties", "1"))
    for index in range(int(params.get("chunks", "4"))):
        log.info("chunk %s %d", tag, index, extra={"tag": tag, "pid": os.getpid(), "seen_request_id": request_id})
        yield chunk(tag, index)
        if address:
            meet(address, f"chunk-{index}", parties, tag)


def handle(event: Any, context: Any) -> StreamingResponse:
    """Stream the tag's chunks, meeting the other invocations between chunks; see the module docstring."""
    params = _params(event)
    tag = params["tag"]
    log.info("start %s", tag, extra={"tag": tag, "pid": os.getpid(), "seen_request_id": context.aws_request_id})
    if params.get("exit"):
        os._exit(int(params["exit"]))
    if params.get("hold") and params.get("rendezvous"):
        meet(params["rendezvous"], f"hold-{tag}", int(params.get("hold_parties", "2")), tag)
    headers = {"content-type": "text/plain", "x-worker-pid": str(os.getpid())}
    return StreamingResponse(headers=headers, body=_body(params, context.aws_request_id))
