"""The official ``openai`` SDK and the OpenAI Agents SDK (``openai-agents``) against the local Function URL
(emulator, runtime, real boto3, fake Bedrock): POST /v1/responses streamed (``responses.create(stream=True)``,
``responses.stream()``) and not, a function-tool round trip, an Agents ``Runner`` with one function tool, errors.

Every raw SSE event is also parsed with the SDK's own types (no unknown or missing field). Tool calls are scripted
ConverseStream answers (``FakeBedrock.responder`` with frames from ``emulator.eventstream``), sent over HTTP to the
real boto3 like any Bedrock answer. References: OpenAI API reference "Responses" (create, the response object,
streaming events: platform.openai.com/docs/api-reference/responses); OpenAI Agents SDK "Models"
(openai.github.io/openai-agents-python/models/); Bedrock ConverseStream
(docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import agents
import httpx
import openai
import openai.types.responses as rt
import pytest

from emulator.eventstream import event_frame
from emulator.fake_bedrock import ExceptionAfter, FakeBedrock, ScriptedReply, split_frames, stub_text
from emulator.fake_bedrock.server import RecordedRequest
from emulator.local import LocalLambda
from tests.functional.api.conftest import stub_lambda
from tests.support.recorded import needs_recordings, recorded_file
from tests.support.sdk_shapes import sdk_sse_events, strict_parse
from tests.unit.api.support import MODEL, OTHER, RESPONSES_FUNCTION_CALL_TAIL

PROMPT = "Stream this through the OpenAI Responses API: naïve café 🌍"
SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"  # reasoning.effort needs a Claude that thinks
EXPECTED = stub_text(PROMPT)
WEATHER_TOOL: Any = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
QUESTION = "What is the weather in Paris?"
ANSWER = "It is sunny in Paris, 22 degrees."


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    """The shared local Function URL, with SONNET_4 allowed too."""
    with stub_lambda(BEDROCK_STREAM_MODELS=f"{MODEL},{OTHER},{SONNET_4}") as lam:
        yield lam


@pytest.fixture
def client(local: LocalLambda, fake: FakeBedrock) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)


def _converse_reply(*frames: bytes) -> ScriptedReply:
    usage = {"inputTokens": 20, "outputTokens": 8, "totalTokens": 28, "cacheReadInputTokens": 4}
    return ScriptedReply(
        pieces=[
            event_frame("messageStart", {"role": "assistant"}),
            *frames,
            event_frame("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}),
        ]
    )


def _tool_call_reply(call_id: str, arguments: list[str]) -> ScriptedReply:
    start = {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": call_id, "name": "get_weather"}}}
    deltas = [
        event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": piece}}})
        for piece in arguments
    ]
    return _converse_reply(
        event_frame("contentBlockStart", start),
        *deltas,
        event_frame("contentBlockStop", {"contentBlockIndex": 0}),
        event_frame("messageStop", {"stopReason": "tool_use"}),
    )


def _text_reply(text: str) -> ScriptedReply:
    return _converse_reply(
        *[
            event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": word}})
            for word in text.split(" ")[:-1]
            for word in [word + " "]
        ],
        event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text.split(" ")[-1]}}),
        event_frame("contentBlockStop", {"contentBlockIndex": 0}),
        event_frame("messageStop", {"stopReason": "end_turn"}),
    )


def weather_model(request: RecordedRequest) -> ScriptedReply | None:
    """A scripted model: it calls get_weather until the conversation holds the tool's result, then answers."""
    if request.operation != "converse-stream":
        return None
    messages = request.json["messages"]
    if any("toolResult" in block for block in messages[-1]["content"]):
        return _text_reply(ANSWER)
    return _tool_call_reply("tooluse_weather_1", ['{"city":', '"Paris"}'])


def raw_events(local: LocalLambda, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The SSE events of a streamed /v1/responses, each parsed strictly with the SDK's types."""
    response = httpx.post(f"{local.url}/v1/responses", json={**body, "stream": True}, timeout=20.0)
    assert response.status_code == 200, response.text
    events = sdk_sse_events(response.text, rt.ResponseStreamEvent)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert [e["type"] for e in events[:2]] == ["response.created", "response.in_progress"]
    return events


def test_create_stream_true_streams_text(client: openai.OpenAI, local: LocalLambda) -> None:
    stream = client.responses.create(model=MODEL, input=PROMPT, instructions="Be brief.", stream=True)
    events = list(stream)
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert "".join(deltas) == EXPECTED
    assert len(deltas) > 1
    completed = events[-1]
    assert completed.type == "response.completed"
    assert (completed.response.output_text, completed.response.instructions) == (EXPECTED, "Be brief.")
    assert completed.response.usage is not None
    assert completed.response.usage.output_tokens > 1
    raw = raw_events(local, {"model": MODEL, "input": PROMPT})
    assert raw[-1]["type"] == "response.completed"
    assert raw[-1]["response"]["output"][0]["content"][0]["text"] == EXPECTED


def test_create_without_stream_returns_the_response(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model=OTHER, input=[{"role": "user", "content": PROMPT}], max_output_tokens=5, temperature=0.2
    )
    assert isinstance(response, rt.Response)
    strict_parse(rt.Response, response.model_dump(mode="json", exclude_unset=True))
    assert (response.status, response.model, response.temperature) == ("incomplete", OTHER, 0.2)
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage is not None
    assert response.usage.output_tokens == 5
    assert EXPECTED.startswith(response.output_text)


def test_function_tool_round_trip_with_create_stream_true(client: openai.OpenAI, fake: FakeBedrock) -> None:
    fake.responder = weather_model
    first = list(client.responses.create(model=MODEL, input=QUESTION, tools=[WEATHER_TOOL], stream=True))
    arguments = [e.delta for e in first if e.type == "response.function_call_arguments.delta"]
    assert arguments == ['{"city":', '"Paris"}']
    done = first[-1]
    assert done.type == "response.completed"
    [call] = done.response.output
    assert call.type == "function_call"
    assert (call.call_id, call.name, json.loads(call.arguments)) == (
        "tooluse_weather_1",
        "get_weather",
        {"city": "Paris"},
    )
    follow_up: Any = [
        {"role": "user", "content": QUESTION},
        call.model_dump(exclude_none=True),
        {"type": "function_call_output", "call_id": call.call_id, "output": '{"sky": "sunny", "celsius": 22}'},
    ]
    second = list(client.responses.create(model=MODEL, input=follow_up, tools=[WEATHER_TOOL], stream=True))
    assert second[-1].type == "response.completed"
    assert second[-1].response.output_text == ANSWER
    _, converse = fake.requests
    assert converse.json["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"toolUse": {"toolUseId": "tooluse_weather_1", "name": "get_weather", "input": {"city": "Paris"}}}
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": "tooluse_weather_1",
                        "content": [{"text": '{"sky": "sunny", "celsius": 22}'}],
                    }
                }
            ],
        },
    ]


def test_function_tool_round_trip_with_responses_stream(
    client: openai.OpenAI, fake: FakeBedrock, local: LocalLambda
) -> None:
    fake.responder = weather_model
    with client.responses.stream(model=MODEL, input=QUESTION, tools=[WEATHER_TOOL]) as stream:
        kinds = [event.type for event in stream]
        first = stream.get_final_response()
    assert "response.function_call_arguments.done" in kinds
    [call] = first.output
    assert call.type == "function_call"
    fields = {"type", "id", "call_id", "name", "arguments", "status"}  # not the SDK's own parsed_arguments
    history: Any = [{"role": "user", "content": QUESTION}, call.model_dump(include=fields, exclude_none=True)]
    history.append({"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 22C"})
    with client.responses.stream(model=MODEL, input=history, tools=[WEATHER_TOOL]) as stream:
        text = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == final.output_text == ANSWER
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.input_tokens_details.cached_tokens) == (24, 4)
    raw = raw_events(local, {"model": MODEL, "input": QUESTION, "tools": [WEATHER_TOOL]})
    assert [e["type"] for e in raw[2:]] == RESPONSES_FUNCTION_CALL_TAIL


def test_an_agents_runner_with_a_function_tool(local: LocalLambda, fake: FakeBedrock) -> None:
    fake.responder = weather_model
    asked: list[str] = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        asked.append(city)
        return f"sunny in {city}, 22 degrees"

    agents.set_tracing_disabled(True)  # nothing leaves the machine
    client = openai.AsyncOpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)
    agent = agents.Agent(
        name="weather",
        instructions="Answer with the weather tool.",
        tools=[get_weather],
        model=agents.OpenAIResponsesModel(model=MODEL, openai_client=client),
    )
    result = agents.Runner.run_sync(agent, QUESTION)
    assert (result.final_output, asked) == (ANSWER, ["Paris"])
    first, second = fake.requests
    assert first.json["system"] == [{"text": "Answer with the weather tool."}]
    assert second.json["messages"][-1]["content"][0]["toolResult"]["content"] == [
        {"text": "sunny in Paris, 22 degrees"}
    ]


def test_errors_are_the_sdk_exceptions(client: openai.OpenAI, fake: FakeBedrock) -> None:
    with pytest.raises(openai.BadRequestError) as stored:
        client.responses.create(model=MODEL, input="Hi", store=True)
    assert stored.value.body == {
        "message": "store: true is not supported: this endpoint keeps no state (send store: false, or omit it)",
        "type": "invalid_request_error",
        "param": "store",
        "code": "invalid_request",
    }
    assert (stored.value.param, stored.value.code) == ("store", "invalid_request")
    with pytest.raises(openai.BadRequestError) as previous:
        client.responses.create(model=MODEL, input="Hi", previous_response_id="resp_1")
    assert previous.value.param == "previous_response_id"
    with pytest.raises(openai.PermissionDeniedError) as denied:
        client.responses.create(model="gpt-5", input="Hi")
    assert denied.value.code == "model_not_allowed"
    assert fake.requests == []


def test_json_schema_format_reaches_bedrock_as_output_config(client: openai.OpenAI, fake: FakeBedrock) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    text: Any = {"format": {"type": "json_schema", "name": "city", "schema": schema, "strict": True}}
    response = client.responses.create(model=OTHER, input="Which city?", text=text)
    assert response.text is not None
    assert response.text.format is not None
    assert response.text.format.type == "json_schema"
    [request] = fake.requests  # botocore validated the outputConfig shape before sending it
    assert request.json["outputConfig"] == {
        "textFormat": {
            "type": "json_schema",
            "structure": {"jsonSchema": {"schema": json.dumps(schema, separators=(",", ":")), "name": "city"}},
        }
    }


def _replay(fake: FakeBedrock, name: str) -> None:
    frames = split_frames(recorded_file(name).read_bytes())
    fake.responder = lambda request: ScriptedReply(pieces=frames) if request.operation == "converse-stream" else None


@needs_recordings
def test_recorded_reasoning_streams_as_reasoning_items(client: openai.OpenAI, fake: FakeBedrock) -> None:
    _replay(fake, "converse-claude-sonnet4-reasoning.bin")
    with client.responses.stream(
        model=SONNET_4, input=PROMPT, max_output_tokens=2048, reasoning={"effort": "low"}
    ) as s:
        kinds = [event.type for event in s]
        final = s.get_final_response()
    assert kinds.index("response.reasoning_text.delta") < kinds.index("response.output_text.delta")
    reasoning, message = final.output
    assert isinstance(reasoning, rt.ResponseReasoningItem)
    assert message.type == "message"
    assert reasoning.content
    assert reasoning.content[0].text
    assert reasoning.encrypted_content  # the signature, which the next turn sends back
    [request] = fake.requests
    assert request.json["additionalModelRequestFields"] == {"thinking": {"type": "enabled", "budget_tokens": 1024}}


@needs_recordings
def test_recorded_redacted_reasoning_round_trips(client: openai.OpenAI, fake: FakeBedrock) -> None:
    _replay(fake, "converse-claude37-redacted-reasoning.bin")
    first = client.responses.create(model=MODEL, input=PROMPT)
    redacted = [item for item in first.output if isinstance(item, rt.ResponseReasoningItem)]
    assert redacted
    assert all(item.encrypted_content and item.encrypted_content.startswith("redacted:") for item in redacted)
    follow_up: Any = [
        {"role": "user", "content": PROMPT},
        *[item.model_dump(exclude_none=True) for item in first.output],
        {"role": "user", "content": "And then?"},
    ]
    client.responses.create(model=MODEL, input=follow_up)
    sent = fake.requests[-1].json["messages"][1]["content"]
    assert [block["reasoningContent"].keys() for block in sent if "reasoningContent" in block] == [
        {"redactedContent"}
    ] * len(redacted)


def test_a_mid_stream_failure_reaches_the_sdk_as_error_then_response_failed(
    client: openai.OpenAI, fake: FakeBedrock
) -> None:
    fake.inject(ExceptionAfter(after=4, exception_type="modelStreamErrorException"), times=None)
    events: list[Any] = []
    try:
        with pytest.raises(openai.APIConnectionError):  # then the Function URL cuts the body (function error)
            _collect(client.responses.create(model=MODEL, input=PROMPT, stream=True), events)
    finally:
        fake.clear_faults()
    kinds = [event.type for event in events]
    assert kinds[-2:] == ["error", "response.failed"]
    assert events[-2].code == "modelStreamErrorException"
    assert events[-1].response.error.code == "server_error"
    assert EXPECTED.startswith("".join(e.delta for e in events if e.type == "response.output_text.delta"))


def _collect(stream: Any, into: list[Any]) -> None:
    """Append each event to ``into`` as it arrives (so they are kept when the stream then raises)."""
    for event in stream:
        into.append(event)
