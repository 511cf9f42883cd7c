"""The official ``openai`` SDK against the local Function URL (emulator, runtime, real boto3, fake Bedrock):
streamed chat with an image and with tools, structured output, ignored client defaults, errors, models.list().

Every raw chunk is also parsed with the SDK's own types (``ChatCompletionChunk``: no unknown or missing field).
The tool call replays a recorded ConverseStream body (a Nova tool call) through the fake Bedrock.
References: OpenAI API reference ("Create chat completion", "The chat completion chunk object", "Error codes",
"List models"); Converse ImageBlock (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ImageBlock.html).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from emulator.fake_bedrock import FakeBedrock, split_frames, stub_text
from emulator.local import LocalLambda
from tests.support.recorded import needs_recordings, recorded_file
from tests.support.sdk_shapes import strict_parse
from tests.unit.api.bad_inputs import PNG_1PX
from tests.unit.api.support import MODEL, OTHER

PROMPT = "What is in this picture? naïve café 🌍"
EXPECTED = stub_text(PROMPT)
IMAGE_MESSAGES: list[Any] = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": PROMPT},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_1PX}", "detail": "low"}},
        ],
    }
]
TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_temperature",
        "description": "Temperature of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture
def client(local: LocalLambda, fake: FakeBedrock) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)


def raw_chunks(local: LocalLambda, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The chunks of a streamed /v1/chat/completions, each parsed strictly with ``ChatCompletionChunk``."""
    response = httpx.post(f"{local.url}/v1/chat/completions", json={**body, "stream": True}, timeout=20.0)
    assert response.status_code == 200, response.text
    frames = [frame for frame in response.text.split("\n\n") if frame]
    assert frames[-1] == "data: [DONE]"
    chunks = [json.loads(frame.removeprefix("data: ")) for frame in frames[:-1]]
    for chunk in chunks:
        strict_parse(ChatCompletionChunk, chunk)
    return chunks


def converse_body(fake: FakeBedrock) -> Any:
    """The JSON body of the last ConverseStream call the fake Bedrock received."""
    calls = [r for r in fake.requests if r.operation == "converse-stream"]
    assert calls, [r.path for r in fake.requests]
    return calls[-1].json


def test_stream_with_an_image(client: openai.OpenAI, local: LocalLambda, fake: FakeBedrock) -> None:
    stream = client.chat.completions.create(
        model=MODEL, messages=IMAGE_MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    text, usage = "", None
    for chunk in stream:
        usage = chunk.usage or usage
        text += "".join(choice.delta.content or "" for choice in chunk.choices)
    assert text == EXPECTED
    assert usage is not None
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0
    content = converse_body(fake)["messages"][0]["content"]
    assert content[0] == {"text": PROMPT}
    assert content[1] == {"image": {"format": "png", "source": {"bytes": PNG_1PX}}}  # boto3 sends bytes as base64
    chunks = raw_chunks(local, {"model": MODEL, "messages": IMAGE_MESSAGES, "stream_options": {"include_usage": True}})
    assert chunks[-1]["choices"] == []
    assert set(chunks[-1]["usage"]["prompt_tokens_details"]) == {"cached_tokens", "cache_write_tokens"}


@needs_recordings
def test_stream_tool_call(client: openai.OpenAI, local: LocalLambda, fake: FakeBedrock) -> None:
    fake.mode, fake.replay_frames = (
        "replay",
        split_frames(recorded_file("converse-nova-micro-tool-use-turn1.bin").read_bytes()),
    )
    messages: Any = [{"role": "user", "content": "What is the temperature in the capital of France?"}]
    stream = client.chat.completions.create(model=OTHER, messages=messages, tools=[TOOL], stream=True)
    calls: dict[int, dict[str, Any]] = {}
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for call in choice.delta.tool_calls or ():
                entry = calls.setdefault(call.index, {"id": call.id, "name": call.function.name, "arguments": ""})  # type: ignore[union-attr]
                entry["arguments"] += call.function.arguments or ""  # type: ignore[union-attr]
    assert finish == "tool_calls"
    assert len(calls) == 1
    assert calls[0]["name"] == "get_temperature"
    assert calls[0]["id"]
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    assert converse_body(fake)["toolConfig"]["tools"][0]["toolSpec"]["name"] == "get_temperature"
    chunks = raw_chunks(local, {"model": OTHER, "messages": messages, "tools": [TOOL]})
    deltas = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert set(deltas[0]) == {"index", "id", "type", "function"}
    assert deltas[0]["type"] == "function"
    assert deltas[0]["function"]["name"] == "get_temperature"
    assert all(set(d) == {"index", "function"} and set(d["function"]) == {"arguments"} for d in deltas[1:])


def test_structured_output_reaches_converse_as_output_config(client: openai.OpenAI, fake: FakeBedrock) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    }
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": PROMPT}],
        response_format={"type": "json_schema", "json_schema": {"name": "City", "schema": schema, "strict": True}},
        service_tier="flex",
    )
    strict_parse(ChatCompletion, json.loads(raw.text))
    assert "x-ignored-params" not in raw.headers
    body = converse_body(fake)
    definition = body["outputConfig"]["textFormat"]["structure"]["jsonSchema"]
    assert (definition["name"], json.loads(definition["schema"])) == ("City", schema)
    assert body["serviceTier"] == {"type": "flex"}


def test_client_defaults_are_ignored_and_named(client: openai.OpenAI, fake: FakeBedrock) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": PROMPT}],
        frequency_penalty=0.2,
        presence_penalty=0.1,
        seed=42,
        user="someone",
        logit_bias={"1": 5},
    )
    assert raw.headers["x-ignored-params"] == "frequency_penalty, presence_penalty, logit_bias, seed, user"
    assert raw.parse().choices[0].message.content == EXPECTED


def test_errors_carry_param_type_and_code(client: openai.OpenAI, fake: FakeBedrock) -> None:
    remote: Any = [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}
    ]
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model=MODEL, messages=remote, stream=True)
    assert (bad.value.type, bad.value.param, bad.value.code) == (
        "invalid_request_error",
        "messages[0].content[0].image_url.url",
        "invalid_request",
    )
    with pytest.raises(openai.PermissionDeniedError) as denied:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert (denied.value.type, denied.value.code) == ("permission_error", "model_not_allowed")
    with pytest.raises(openai.BadRequestError) as cannot:
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "x"}], reasoning_effort="high"
        )
    assert cannot.value.param == "reasoning_effort"
    assert [r for r in fake.requests if r.operation == "converse-stream"] == []


def test_models_list(client: openai.OpenAI, local: LocalLambda) -> None:
    models = list(client.models.list())
    assert [m.id for m in models] == [MODEL, OTHER]
    raw = httpx.get(f"{local.url}/v1/models", timeout=20.0).json()
    for item in raw["data"]:
        strict_parse(Model, item)
