"""The surfaces table: routes, 404/405 and formats come from its rows, and a new surface is one more row."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Self

import pytest

from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.encoders.base import BufferedEncoder, Encoder, Exchange
from bedrock_stream.errors import AppError, InvalidRequestError, MethodNotAllowedError, NotFoundError
from bedrock_stream.events import BedrockEvent, TextDelta
from bedrock_stream.negotiation import Format
from bedrock_stream.plan import Converse, Document, SurfaceRequest
from bedrock_stream.surfaces import SURFACES, Surface, match_surface
from bedrock_stream.validation import check_model
from tests.unit.api.support import MODEL, harness, json_event, run, url_event


def test_every_route_of_the_table_is_listed_in_the_404_message() -> None:
    with pytest.raises(NotFoundError) as caught:
        match_surface("POST", "/nowhere")
    assert caught.value.message == (
        "no route for '/nowhere'; routes: POST /, POST /v1/chat/completions, POST /model/{modelId}/invoke, "
        "GET /models, GET /v1/models, POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/responses, "
        "POST /v1/ui/chat"
    )


def test_405_allows_the_methods_of_the_rows_that_match_the_path() -> None:
    with pytest.raises(MethodNotAllowedError) as caught:
        match_surface("put", "/models/")
    assert (caught.value.allowed, caught.value.message) == (("GET",), "PUT is not allowed on /models; use GET")


def test_path_parameters_are_percent_decoded_and_may_hold_slashes() -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x"
    surface, params = match_surface(
        "POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.x/invoke"
    )
    assert (surface.name, params) == ("POST /model/{modelId}/invoke", {"modelId": arn})
    with pytest.raises(NotFoundError):
        match_surface("POST", "/model//invoke")


def test_a_default_format_that_is_not_offered_is_refused_when_the_row_is_built() -> None:
    with pytest.raises(ValueError, match="not offered"):
        Surface("POST", "/x", lambda call: Document({}), {Format.SSE: _ShoutEncoder}, default=Format.TEXT)


class _ShoutEncoder(Encoder):
    """A test-only wire format: upper-case text, one line per delta."""

    content_type: ClassVar[str] = "text/x-shout"

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        return cls()

    def start(self) -> str:
        return ""

    def encode(self, event: BedrockEvent) -> str:
        return event.text.upper() + "\n" if isinstance(event, TextDelta) else ""

    def finish(self) -> str:
        return "END\n"

    def error(self, exc: AppError) -> str:
        return f"ERROR {exc.error_type}\n"


class _CountEncoder(BufferedEncoder):
    """A test-only document: how many text deltas the stream had."""

    def __init__(self) -> None:
        super().__init__()

    @classmethod
    def create(cls, exchange: Exchange) -> Self:
        return cls()

    def finish(self) -> str:
        return json.dumps({"deltas": len(self._transcript.text)})


def _shout_plan(call: SurfaceRequest) -> Converse:
    body: dict[str, Any] = call.json()
    if not isinstance(body.get("say"), str):
        raise InvalidRequestError("say what?", field="say")
    chat = ChatRequest(
        model=check_model(None, call.settings), messages=(ChatMessage("user", ({"text": body["say"]},)),)
    )
    return Converse(chat=chat, stream=body.get("stream", True))


SHOUT = Surface(
    "POST",
    "/v9/shout",
    _shout_plan,
    {Format.SSE: _ShoutEncoder, Format.JSON: _CountEncoder},
    default=Format.SSE,
    error_body=lambda exc, request, request_id: {"shout": exc.error_type.upper()},
)


def test_a_new_surface_is_one_row() -> None:
    h = harness(surfaces=(*SURFACES, SHOUT))
    result = run(h, json_event({"say": "hi"}, path="/v9/shout"))
    assert (result.status, result.headers["content-type"], result.body) == (
        200,
        "text/x-shout",
        b"HELLO\n, \nWORLD\nEND\n",
    )
    assert h.source.calls[0][1].messages == (ChatMessage("user", ({"text": "hi"},)),)
    assert h.source.calls[0][1].model == MODEL
    buffered = run(h, json_event({"say": "hi", "stream": False}, path="/v9/shout"))
    assert (buffered.status, buffered.json()) == (200, {"deltas": 3})
    refused = run(h, url_event("GET", "/v9/shout"))
    assert (refused.status, refused.headers["allow"]) == (405, "POST")
    assert "POST /v9/shout" in run(h, url_event("GET", "/v0")).json()["error"]["message"]


def test_a_surface_may_shape_its_own_error_body() -> None:
    h = harness(surfaces=(*SURFACES, SHOUT))
    result = run(h, json_event({"whisper": "hi"}, path="/v9/shout"))
    assert (result.status, result.headers["content-type"], result.json()) == (
        400,
        "application/json",
        {"shout": "INVALID_REQUEST"},
    )
    assert run(h, json_event({}, path="/")).json()["error"]["type"] == "invalid_request"  # other rows: default
    assert h.source.calls == []
