"""In-test fakes of OUR OWN seams (BedrockSource, Lambda context) and event builders for the API unit tests."""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from bedrock_stream.app import App, create_app
from bedrock_stream.chat import BedrockSource, CallBudget, ChatRequest
from bedrock_stream.errors import AppError
from bedrock_stream.events import BedrockEvent, Stop, TextDelta, ToolUseDelta, ToolUseStart, ToolUseStop, Usage
from bedrock_stream.observability import Observer
from bedrock_stream.settings import Settings
from bedrock_stream.surfaces import SURFACES, Surface
from streaming_runtime import StreamingResponse

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
OTHER = "amazon.nova-lite-v1:0"


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"models": (MODEL, OTHER), "default_model": MODEL, "max_tokens_cap": 2048}
    values.update(overrides)
    return Settings(**values)


def text_events(*pieces: str, stop: str = "end_turn", usage: Usage | None = None) -> list[BedrockEvent]:
    return [*(TextDelta(p) for p in pieces), Stop(stop), usage or Usage(input_tokens=7, output_tokens=len(pieces))]


def weather_call(index: int) -> list[BedrockEvent]:
    """Content block ``index``: a streamed ``get_weather`` call (id ``tooluse_1``) for Paris in two input deltas."""
    return [
        ToolUseStart(index, "tooluse_1", "get_weather"),
        ToolUseDelta(index, '{"city":'),
        ToolUseDelta(index, '"Paris"}'),
        ToolUseStop(index),
    ]


RESPONSES_FUNCTION_CALL_TAIL = [
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.done",
    "response.completed",
]
"""The last Responses stream events when the answer ends with a function call streamed in two argument deltas."""


class FakeStream:
    """An EventStream over a list; may raise ``fail_with`` after the events or block (``block``)."""

    def __init__(self, events: Iterable[BedrockEvent], fail_with: Exception | None = None, block: bool = False):
        self._events = list(events)
        self._fail_with = fail_with
        self._block = block
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[BedrockEvent]:
        for event in self._events:
            if self.closed.is_set():
                return
            yield event
        if self._block:
            if not self.closed.wait(10):
                raise AssertionError("stream was never closed by the watchdog")
            raise OSError("connection closed")
        if self._fail_with is not None:
            raise self._fail_with

    def close(self) -> None:
        self.closed.set()


@dataclass
class FakeSource:
    """A scripted BedrockSource that records every call."""

    events: Sequence[BedrockEvent] = field(default_factory=lambda: text_events("Hello", ", ", "world"))
    refuse_with: AppError | None = None
    fail_with: Exception | None = None
    block: bool = False
    calls: list[tuple[str, Any]] = field(default_factory=list)
    budgets: list[CallBudget | None] = field(default_factory=list)
    streams: list[FakeStream] = field(default_factory=list)
    input_tokens: int = 42
    """What ``count_tokens`` answers (unless ``refuse_with`` is set)."""

    def _open(self) -> FakeStream:
        if self.refuse_with is not None:
            raise self.refuse_with
        stream = FakeStream(self.events, self.fail_with, self.block)
        self.streams.append(stream)
        return stream

    def converse(self, request: ChatRequest, *, budget: CallBudget | None = None) -> FakeStream:
        self.calls.append(("converse", request))
        self.budgets.append(budget)
        return self._open()

    def invoke(
        self, model_id: str, body: bytes, *, content_type: str = "application/json", budget: CallBudget | None = None
    ) -> FakeStream:
        self.calls.append(("invoke", (model_id, body)))
        self.budgets.append(budget)
        return self._open()

    def count_tokens(self, request: ChatRequest) -> int:
        self.calls.append(("count_tokens", request))
        if self.refuse_with is not None:
            raise self.refuse_with
        return self.input_tokens


class FakeContext:
    def __init__(self, remaining_ms: int = 60_000, request_id: str = "req-123") -> None:
        self.aws_request_id = request_id
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Harness:
    app: App
    source: FakeSource
    log: io.StringIO


def harness(
    source: FakeSource | None = None,
    *,
    source_override: BedrockSource | None = None,
    surfaces: Sequence[Surface] = SURFACES,
    **setting_overrides: Any,
) -> Harness:
    """The app with a fresh logger; ``source_override`` replaces the fake (functional tests use the real one)."""
    source = source or FakeSource()
    log = io.StringIO()
    logger = Logger(service=f"test-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler(log))
    metrics = Metrics(namespace="BedrockStreamTest", service="test")
    s = settings(**setting_overrides)
    observer = Observer(logger, metrics, log_content=s.log_content)
    app = create_app(s, source_override or source, observer=observer, clock=lambda: 1_700_000_000.0, surfaces=surfaces)
    return Harness(app, source, log)


def url_event(
    method: str = "POST",
    path: str = "/",
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    base64_body: bool = False,
) -> dict[str, Any]:
    """A Function URL (payload 2.0) event."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"host": "abc.lambda-url.us-east-1.on.aws", **(headers or {})},
        "requestContext": {"http": {"method": method, "path": path, "protocol": "HTTP/1.1"}, "requestId": "r"},
        "isBase64Encoded": base64_body,
    }
    if body is not None:
        raw = body.encode() if isinstance(body, str) else body
        event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
    return event


def json_event(payload: Any, path: str = "/", **kwargs: Any) -> dict[str, Any]:
    return url_event(body=json.dumps(payload), path=path, **kwargs)


@dataclass
class Result:
    response: StreamingResponse
    body: bytes
    chunks: list[bytes]
    error: BaseException | None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.response.headers)

    def json(self) -> Any:
        return json.loads(self.body)


def run(h: Harness, event: Any, context: FakeContext | None = None) -> Result:
    """Call the handler and drain the body the way the runtime does (exceptions kept, not raised)."""
    response = h.app.handle(event, context or FakeContext())
    chunks: list[bytes] = []
    error: BaseException | None = None
    try:
        for chunk in response.body:
            assert isinstance(chunk, bytes)
            chunks.append(chunk)
    except Exception as exc:
        error = exc
    return Result(response, b"".join(chunks), chunks, error)
