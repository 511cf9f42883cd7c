"""Tool loops, reasoning and prompt caching offline, end to end: client -> local Function URL -> runtime -> app ->
real boto3 -> the fake Bedrock's stub (no recordings).

The native route (``POST /``, NDJSON), the ``openai`` SDK on ``/v1/chat/completions`` and the ``anthropic`` SDK on
``/v1/messages`` each run call -> tool result -> text. References: ConverseStream tool use
(https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html), prompt caching
(https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html), OpenAI "Function calling" and Anthropic
"Tool use" guides. Tool arguments are validated against their schema with fastjsonschema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import fastjsonschema
import httpx
import openai
import pytest

from emulator.fake_bedrock import FakeBedrock, stub_text
from emulator.local import LocalLambda
from tests.functional.api.conftest import stub_lambda
from tests.unit.api.support import MODEL, OTHER

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "City name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}
validate_arguments = fastjsonschema.compile(SCHEMA)
RESULT = "Sunny, 21 °C ☀"
QUOTED = f"The get_weather tool returned: «{RESULT}»."
NOVA_2 = "us.amazon.nova-2-lite-v1:0"  # reasons by effort level (Nova 1, OTHER, cannot reason)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    """The shared local Function URL, with NOVA_2 allowed too."""
    with stub_lambda(BEDROCK_STREAM_MODELS=f"{MODEL},{OTHER},{NOVA_2}") as lam:
        yield lam


@pytest.fixture
def http(local: LocalLambda, fake: FakeBedrock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local.url, timeout=20.0) as client:
        yield client


def _ndjson(http: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = http.post("/?format=ndjson", json=body)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines() if line]


NATIVE_TOOLS: list[dict[str, Any]] = [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}]


@pytest.mark.parametrize("choice", ["any", {"name": "get_weather"}])
def test_native_route_tool_loop(http: httpx.Client, fake: FakeBedrock, choice: Any) -> None:
    first: list[dict[str, Any]] = [{"role": "user", "content": "Weather in Oslo?"}]
    events = _ndjson(http, {"messages": first, "tools": NATIVE_TOOLS, "tool_choice": choice})
    (start,) = [e for e in events if e["type"] == "tool_use_start"]
    pieces = [e["input"] for e in events if e["type"] == "tool_use_delta"]
    assert len(pieces) > 1
    arguments = json.loads("".join(pieces))
    validate_arguments(arguments)
    assert start["name"] == "get_weather"
    assert events[-1]["type"] == "done"
    assert events[-1]["stop_reason"] == "tool_use"
    sent = fake.requests[-1].json["toolConfig"]
    assert sent["toolChoice"] == ({"any": {}} if choice == "any" else {"tool": {"name": "get_weather"}})
    assert sent["tools"] == [
        {"toolSpec": {"name": "get_weather", "description": "Weather", "inputSchema": {"json": SCHEMA}}}
    ]

    call = {"type": "tool_use", "id": start["id"], "name": start["name"], "input": arguments}
    result = {"type": "tool_result", "tool_use_id": start["id"], "content": RESULT}
    loop = [*first, {"role": "assistant", "content": [call]}, {"role": "user", "content": [result]}]
    events = _ndjson(http, {"messages": loop, "tools": NATIVE_TOOLS, "tool_choice": choice})
    assert not any(e["type"].startswith("tool_use") for e in events)
    assert QUOTED in "".join(e["text"] for e in events if e["type"] == "text")
    assert events[-1]["stop_reason"] == "end_turn"


def test_native_route_tool_result_errors_reach_bedrock(http: httpx.Client, fake: FakeBedrock) -> None:
    call = {"type": "tool_use", "id": "tooluse_1", "name": "get_weather", "input": {}}
    result = {
        "type": "tool_result",
        "tool_use_id": "tooluse_1",
        "content": [{"text": "no such city"}],
        "is_error": True,
    }
    messages = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [call]},
        {"role": "user", "content": [result]},
    ]
    events = _ndjson(http, {"messages": messages, "tools": NATIVE_TOOLS})
    assert "returned (reported as an error): «no such city»" in "".join(e.get("text", "") for e in events)
    sent = fake.requests[-1].json["messages"][-1]["content"]
    assert sent == [
        {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "no such city"}], "status": "error"}}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "x", "tool_choice": "any"}, "tool_choice"),
        ({"prompt": "x", "tools": NATIVE_TOOLS, "tool_choice": {"name": "nope"}}, "tool_choice.name"),
        (
            {
                "messages": [{"role": "user", "content": [{"type": "tool_use", "id": "a", "name": "b", "input": {}}]}],
                "tools": NATIVE_TOOLS,
            },
            "messages[0].content[0]",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a", "content": "r"}]}]},
            "tools",
        ),
    ],
)
def test_native_route_refuses_inconsistent_tools(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = http.post("/", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_native_route_cache_points_write_then_read(http: httpx.Client, fake: FakeBedrock) -> None:
    point = {"type": "cache_point"}
    body: dict[str, Any] = {
        "system": ["You are a weather bot with a long, stable instruction block.", point],
        "tools": [*NATIVE_TOOLS, point],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}, point]}],
    }
    first = _ndjson(http, body)[-1]["usage"]
    second = _ndjson(http, body)[-1]["usage"]
    sent = fake.requests[-1].json
    assert sent["system"][-1] == {"cachePoint": {"type": "default"}}
    assert sent["toolConfig"]["tools"][-1] == {"cachePoint": {"type": "default"}}
    assert sent["messages"][0]["content"][-1] == {"cachePoint": {"type": "default"}}
    assert first["cache_read_input_tokens"] == 0
    assert first["cache_write_input_tokens"] > 0
    assert second["cache_read_input_tokens"] == first["cache_write_input_tokens"]
    assert second["cache_write_input_tokens"] == 0


def test_openai_sdk_tool_loop(local: LocalLambda, fake: FakeBedrock) -> None:
    client = openai.OpenAI(base_url=f"{local.url}/v1", api_key="unused", timeout=20.0, max_retries=0)
    tools: Any = [{"type": "function", "function": {"name": "get_weather", "parameters": SCHEMA}}]
    messages: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
    stream = client.chat.completions.create(
        model=MODEL, messages=messages, tools=tools, tool_choice="required", stream=True
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.id or ""
                call["name"] += (delta.function.name if delta.function else None) or ""
                call["arguments"] += (delta.function.arguments if delta.function else None) or ""
    assert finish == "tool_calls"
    (call,) = calls.values()
    assert call["name"] == "get_weather"
    validate_arguments(json.loads(call["arguments"]))
    messages += [
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": call["arguments"]},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call["id"], "content": RESULT},
    ]
    completion = client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
    assert completion.choices[0].finish_reason == "stop"
    assert QUOTED in (completion.choices[0].message.content or "")


def test_anthropic_sdk_tool_loop_with_thinking(local: LocalLambda, fake: FakeBedrock) -> None:
    client = anthropic.Anthropic(base_url=local.url, api_key="unused", timeout=20.0, max_retries=0)
    tools: Any = [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}]
    messages: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
    thinking: Any = {"type": "enabled", "budget_tokens": 1024}
    with client.messages.stream(
        model=MODEL, max_tokens=2048, messages=messages, tools=tools, tool_choice={"type": "any"}, thinking=thinking
    ) as stream:
        message = stream.get_final_message()
    assert message.stop_reason == "tool_use"
    reasoning, tool = message.content
    assert reasoning.type == "thinking"
    assert reasoning.thinking.startswith("The user wrote «Weather in Oslo?».")
    assert reasoning.signature
    assert tool.type == "tool_use"
    validate_arguments(tool.input)
    messages += [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in message.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": RESULT}]},
    ]
    final = client.messages.create(model=MODEL, max_tokens=2048, messages=messages, tools=tools, thinking=thinking)
    assert final.stop_reason == "end_turn"
    assert QUOTED in final.content[-1].text  # type: ignore[union-attr]


def test_anthropic_sdk_without_tool_choice_answers_the_prompt(local: LocalLambda, fake: FakeBedrock) -> None:
    client = anthropic.Anthropic(base_url=local.url, api_key="unused", timeout=20.0, max_retries=0)
    tools: Any = [{"name": "get_weather", "input_schema": SCHEMA}]
    message = client.messages.create(
        model=MODEL, max_tokens=300, messages=[{"role": "user", "content": "Hello"}], tools=tools
    )
    assert message.stop_reason == "end_turn"
    assert message.content[0].text == stub_text("Hello")  # type: ignore[union-attr]


def test_native_route_json_document_holds_the_tool_call(http: httpx.Client) -> None:
    body = {"prompt": "Please use the get_weather tool", "tools": NATIVE_TOOLS, "stream": False}
    response = http.post("/", json=body)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["stop_reason"] == "tool_use"
    assert document["text"] == ""
    (call,) = document["tool_calls"]
    assert call["name"] == "get_weather"
    assert call["id"].startswith("tooluse_")
    validate_arguments(json.loads(call["input"]))


def test_invoke_route_anthropic_body_gets_a_tool_call(http: httpx.Client) -> None:
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 500,
        "messages": [{"role": "user", "content": "Weather?"}],
        "tools": NATIVE_TOOLS,
        "tool_choice": {"type": "tool", "name": "get_weather"},
    }
    events = _ndjson_at(http, f"/model/{MODEL}/invoke?format=ndjson", body)
    (start,) = [e for e in events if e["type"] == "tool_use_start"]
    assert start["name"] == "get_weather"
    assert start["id"].startswith("toolu_bdrk_")
    validate_arguments(json.loads("".join(e["input"] for e in events if e["type"] == "tool_use_delta")))
    assert events[-1]["stop_reason"] == "tool_use"


def _ndjson_at(http: httpx.Client, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = http.post(path, json=body)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines() if line]


def test_native_route_reasoning_for_claude_streams_thinking_then_text(http: httpx.Client, fake: FakeBedrock) -> None:
    body = {"prompt": "Hello", "max_tokens": 2000, "reasoning": {"budget_tokens": 1024}}
    events = _ndjson(http, body)
    assert fake.requests[-1].json["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 1024}
    }
    kinds = [
        ("signature" if "signature" in e else "reasoning") if e["type"] == "reasoning" else e["type"] for e in events
    ]
    signature_at = kinds.index("signature")
    assert set(kinds[:signature_at]) == {"reasoning"}
    assert set(kinds[signature_at + 1 : -1]) == {"text"}
    assert "".join(e["text"] for e in events if e["type"] == "text") == stub_text("Hello")


def test_native_route_reasoning_for_nova_uses_effort(http: httpx.Client, fake: FakeBedrock) -> None:
    events = _ndjson(http, {"model": NOVA_2, "prompt": "Hello", "reasoning": {"effort": "low"}})
    sent = fake.requests[-1].json["additionalModelRequestFields"]
    assert sent == {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}
    assert [e for e in events if e["type"] == "reasoning"] == [{"type": "reasoning", "text": "[REDACTED]"}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "x", "reasoning": {"effort": "low"}}, "reasoning"),  # Claude 3 Haiku has no effort row
        ({"prompt": "x", "max_tokens": 1024, "reasoning": {"budget_tokens": 1024}}, "reasoning.budget_tokens"),
        ({"model": NOVA_2, "prompt": "x", "reasoning": {"budget_tokens": 2000}}, "reasoning.effort"),
        ({"model": OTHER, "prompt": "x", "reasoning": {"effort": "low"}}, "reasoning"),
    ],
)
def test_native_route_refuses_reasoning_the_model_cannot_take(
    http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    response = http.post("/", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
