"""The alternative users pick today: the same application served by FastAPI + uvicorn ``StreamingResponse``.

This is the Lambda Web Adapter app shape (an ASGI server in the function, the adapter relaying HTTP). To keep the
logic identical, the route builds a Function URL (payload 2.0) event from the request and calls the very same
``bedrock_stream`` application (settings, boto3 Bedrock source, encoders); only the serving layer differs. Bench only.

Run: ``uvicorn bench.fastapi_app:app`` with ``functions`` on ``PYTHONPATH`` and the ``BEDROCK_STREAM_*`` variables set.
"""

from __future__ import annotations

import base64
import os
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from bedrock_stream.app import App, create_app
from bedrock_stream.bedrock import BotoBedrockSource, create_client
from bedrock_stream.settings import Settings

__all__ = ["app"]

_TIMEOUT_MS = 900_000


class _Context:
    """What the application reads from a Lambda context."""

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() * 1000 + _TIMEOUT_MS

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline - time.monotonic() * 1000))


def _build() -> App:
    settings = Settings.from_env(os.environ)
    return create_app(settings, BotoBedrockSource.from_settings(create_client(), settings))


_APP = _build()
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/healthz")
def healthz() -> dict[str, bool]:
    """Readiness probe."""
    return {"ok": True}


@app.api_route("/{path:path}", methods=["GET", "POST"])
async def serve(request: Request, path: str) -> Response:
    """Every route of the application, as a Function URL would deliver it."""
    body = await request.body()
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": "/" + path,
        "rawQueryString": request.url.query,
        "headers": dict(request.headers),
        "requestContext": {"http": {"method": request.method, "path": "/" + path}},
        "body": base64.b64encode(body).decode("ascii"),
        "isBase64Encoded": True,
    }
    result = await run_in_threadpool(_APP.handle, event, _Context())
    headers = dict(result.headers)
    media_type = headers.pop("content-type", None) or headers.pop("Content-Type", None)
    return StreamingResponse(result.body, status_code=result.status_code, headers=headers, media_type=media_type)
