"""The official ``anthropic`` and ``openai`` SDKs against the local Function URL (emulator, runtime, real boto3,
fake Bedrock): POST /v1/messages streamed and not, count_tokens, GET /v1/models, errors.

Every raw SSE event is also parsed with the SDK's own types (no unknown or missing field). Tool use and thinking
replay recorded ConverseStream bodies (a Nova tool call, a Claude reasoning answer) through the fake Bedrock.
References: Anthropic API "Messages", "Streaming Messages", "List Models" (docs.anthropic.com/en/api/...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import anthropic.types as at
import httpx
import openai
import pytest

from emulator.fake_bedrock import ExceptionAfter, FakeBedrock, HttpError, split_frames, stub_text
from emulator.local import LocalLambda
from tests.support.captures import Capture
from tests.support.recorded import needs_recordings, recorded_file
from tests.support.sdk_shapes import sdk_sse_events, strict_parse
from tests.unit.api.support import MODEL, OTHER

PROMPT = "Stream this through the Anthropic SDK: naïve café 🌍"
EXPECTED = stub_text(PROMPT)
USER: list[Any] = [{"role": "user", "content": PROMPT}]
TOOL = {"name": "get_temperature", "description": "Temperature of a city", "input_schema": {"type": "object"}}


@pytest.fixture
def client(local: LocalLambda, fake: FakeBedrock) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=local.url, api_key="unused", timeout=20.0, max_retries=0)


def replay(fake: FakeBedrock, name: str) -> None:
    """Serve the recorded ConverseStream body ``name`` to the next requests."""
    fake.mode, fake.replay_frames = "replay", split_frames(recorded_file(name).read_bytes())


def raw_events(local: LocalLambda, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The SSE events of a streamed /v1/messages, each parsed strictly with the SDK's types."""
    response = httpx.post(f"{local.url}/v1/messages", json={**body, "stream": True}, timeout=20.0)
    assert response.status_code == 200, response.text
    events = sdk_sse_events(response.text, at.RawMessageStreamEvent, unparsed={"ping"})
    assert [e["type"] for e in events[:2]] == ["message_start", "ping"]
    assert [e["type"] for e in events[-2:]] == ["message_delta", "message_stop"]
    return events


def test_stream_text_with_the_sdk(client: anthropic.Anthropic, local: LocalLambda) -> None:
    with client.messages.stream(model=MODEL, max_tokens=300, system="Be brief.", messages=USER) as stream:
        text = "".join(stream.text_stream)
        message = stream.get_final_message()
    assert text == EXPECTED
    strict_parse(at.Message, message.model_dump(mode="json", exclude_unset=True))
    assert (message.stop_reason, message.model, message.content[0].type) == ("end_turn", MODEL, "text")
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 1
    events = raw_events(local, {"model": MODEL, "max_tokens": 300, "messages": USER})
    assert [e["type"] for e in events[2:-2]] == ["content_block_start"] + ["content_block_delta"] * (
        len(events) - 6
    ) + ["content_block_stop"]


def test_create_without_stream(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL, max_tokens=5, messages=USER, stop_sequences=["zzz"], extra_headers={"anthropic-beta": "x"}
    )
    assert isinstance(message, at.Message)
    assert (message.stop_reason, message.usage.output_tokens) == ("max_tokens", 5)
    assert EXPECTED.startswith(message.content[0].text)  # type: ignore[union-attr]


@needs_recordings
def test_stream_tool_use(client: anthropic.Anthropic, fake: FakeBedrock, local: LocalLambda) -> None:
    replay(fake, "converse-nova-micro-tool-use-turn1.bin")
    messages: list[Any] = [{"role": "user", "content": "What is the temperature in the capital of France?"}]
    with client.messages.stream(model=OTHER, max_tokens=300, messages=messages, tools=[TOOL]) as stream:
        json_deltas = [e.partial_json for e in stream if e.type == "input_json"]
        message = stream.get_final_message()
    assert json_deltas == ['{"city":"Paris"}']
    text, tool = message.content
    assert (text.type, tool.type, message.stop_reason) == ("text", "tool_use", "tool_use")
    assert (tool.name, tool.input) == ("get_temperature", {"city": "Paris"})  # type: ignore[union-attr]
    assert (message.usage.input_tokens, message.usage.output_tokens) == (471, 91)
    events = raw_events(local, {"model": OTHER, "max_tokens": 300, "messages": messages, "tools": [TOOL]})
    assert [e["index"] for e in events if e["type"] == "content_block_start"] == [0, 1]


@needs_recordings
def test_stream_thinking(client: anthropic.Anthropic, fake: FakeBedrock, local: LocalLambda) -> None:
    replay(fake, "converse-claude-sonnet4-reasoning.bin")
    thinking: Any = {"type": "enabled", "budget_tokens": 1024}
    with client.messages.stream(model=MODEL, max_tokens=2048, messages=USER, thinking=thinking) as stream:
        kinds = {e.type for e in stream}
        message = stream.get_final_message()
    assert {"thinking", "signature", "text"} <= kinds
    first, second = message.content
    assert (first.type, second.type) == ("thinking", "text")
    frames = Capture.load(recorded_file("converse-claude-sonnet4-reasoning.bin")).frames
    reasoning = [f["payload"]["delta"]["reasoningContent"] for f in frames if "reasoningContent" in str(f)]
    assert first.thinking == "".join(r.get("text", "") for r in reasoning)  # type: ignore[union-attr]
    assert first.signature == "".join(r.get("signature", "") for r in reasoning)  # type: ignore[union-attr]
    assert first.signature
    events = raw_events(local, {"model": MODEL, "max_tokens": 2048, "messages": USER})
    deltas = [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]
    assert deltas.index("signature_delta") < deltas.index("text_delta")


def test_count_tokens_through_bedrock(client: anthropic.Anthropic, fake: FakeBedrock) -> None:
    fake.clear_requests()
    raw = client.messages.with_raw_response.count_tokens(
        model=MODEL, system="Be brief.", messages=[{"role": "user", "content": "abcdefgh"}]
    )
    assert (raw.parse().input_tokens, raw.headers["x-token-count"]) == (5, "bedrock")  # the stub: 17 chars / 4
    [request] = fake.requests
    assert (request.operation, request.model_id) == ("count-tokens", MODEL)
    assert request.json == {
        "input": {
            "converse": {
                "messages": [{"role": "user", "content": [{"text": "abcdefgh"}]}],
                "system": [{"text": "Be brief."}],
            }
        }
    }


def test_errors_are_the_sdk_exceptions(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.PermissionDeniedError) as denied:
        client.messages.create(model="claude-opus-4-1-20250805", max_tokens=5, messages=USER)
    assert denied.value.body["error"]["type"] == "permission_error"  # type: ignore[index]
    with pytest.raises(anthropic.BadRequestError) as bad:
        client.messages.create(model=MODEL, max_tokens=999_999, messages=USER)
    assert bad.value.body["error"]["type"] == "invalid_request_error"  # type: ignore[index]


def test_models_list_with_both_sdks(client: anthropic.Anthropic, local: LocalLambda) -> None:
    assert [m.id for m in client.models.list()] == [MODEL, OTHER]
    assert [m.id for m in client.models.list(limit=1)] == [MODEL, OTHER]  # the SDK follows has_more / last_id
    openai_client = openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)
    models = list(openai_client.models.list())
    assert [(m.id, m.object, m.owned_by) for m in models] == [(MODEL, "model", "anthropic"), (OTHER, "model", "amazon")]
    assert httpx.get(f"{local.url}/models").json() == {"default_model": MODEL, "models": [MODEL, OTHER]}


def test_throttling_before_the_stream_is_the_sdks_rate_limit_error(
    client: anthropic.Anthropic, fake: FakeBedrock
) -> None:
    fake.inject(HttpError("ThrottlingException"), times=None)  # boto3 retries: fail every attempt
    try:
        with pytest.raises(anthropic.RateLimitError) as caught:
            client.messages.create(model=MODEL, max_tokens=50, messages=USER, stream=True)
    finally:
        fake.clear_faults()
    assert caught.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    assert caught.value.response.headers["retry-after"]


def test_a_mid_stream_failure_raises_in_the_sdk_after_the_text(client: anthropic.Anthropic, fake: FakeBedrock) -> None:
    fake.inject(ExceptionAfter(after=4, exception_type="modelStreamErrorException"), times=None)
    texts: list[str] = []
    try:
        with (
            pytest.raises(anthropic.APIStatusError) as caught,
            client.messages.stream(model=MODEL, max_tokens=300, messages=USER) as stream,
        ):
            _collect(stream.text_stream, texts)
    finally:
        fake.clear_faults()
    assert caught.value.body["type"] == "error"  # type: ignore[index]
    assert caught.value.body["error"]["type"] == "api_error"  # type: ignore[index]
    assert texts
    assert EXPECTED.startswith("".join(texts))


def _collect(pieces: Iterator[str], into: list[str]) -> None:
    """Append each piece as it arrives (kept when the iteration raises)."""
    for piece in pieces:
        into.append(piece)
