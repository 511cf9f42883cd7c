"""The stub's tool calls, tool loops, reasoning and prompt-cache counts, through real boto3 over HTTP.

Shapes follow the ConverseStream reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html): ``contentBlockStart``
``start.toolUse``, ``delta.toolUse.input`` pieces, ``delta.reasoningContent`` ``text`` / ``signature``, and
``TokenUsage`` ``cacheReadInputTokens`` / ``cacheWriteInputTokens``
(https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html). Inputs are validated with fastjsonschema.
"""

from __future__ import annotations

import json
from typing import Any

import fastjsonschema
import pytest

from emulator.fake_bedrock import FakeBedrock, stub_text

MODEL = "us.amazon.nova-micro-v1:0"
WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 6},
        "unit": {"enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "where": {
            "type": "object",
            "properties": {"lat": {"type": "number", "exclusiveMinimum": 0}, "tags": {"type": "array"}},
            "required": ["lat", "tags"],
        },
        "hours": {"type": "array", "items": {"type": "integer", "minimum": 3}, "minItems": 2},
        "note": {"type": "string"},
    },
    "required": ["city", "unit", "days", "where", "hours"],
    "additionalProperties": False,
}
TOOLS = [
    {"toolSpec": {"name": "get_time", "description": "Time now", "inputSchema": {"json": {"type": "object"}}}},
    {"toolSpec": {"name": "get_weather", "description": "Weather", "inputSchema": {"json": WEATHER_SCHEMA}}},
]


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"text": text}]}


def _stream(client: Any, **params: Any) -> list[dict[str, Any]]:
    return list(client.converse_stream(modelId=MODEL, **params)["stream"])


def _tool_call(events: list[dict[str, Any]]) -> tuple[str, str, str]:
    """(toolUseId, name, input JSON text) of the single tool call in ``events``."""
    (start,) = [e["contentBlockStart"] for e in events if "contentBlockStart" in e]
    use = start["start"]["toolUse"]
    pieces = [
        e["contentBlockDelta"]["delta"]["toolUse"]["input"]
        for e in events
        if "toolUse" in e.get("contentBlockDelta", {}).get("delta", {})
    ]
    assert len(pieces) > 1, "the input arrives in several deltas"
    return use["toolUseId"], use["name"], "".join(pieces)


@pytest.mark.parametrize(
    ("choice", "expected"), [({"any": {}}, "get_time"), ({"tool": {"name": "get_weather"}}, "get_weather")]
)
def test_tool_choice_gets_a_schema_valid_tool_call(bedrock_runtime: Any, choice: Any, expected: str) -> None:
    events = _stream(bedrock_runtime, messages=[_user("What now?")], toolConfig={"tools": TOOLS, "toolChoice": choice})
    tool_use_id, name, text = _tool_call(events)
    assert name == expected
    assert tool_use_id.startswith("tooluse_")
    arguments = json.loads(text)
    schema = WEATHER_SCHEMA if name == "get_weather" else {"type": "object"}
    fastjsonschema.compile(schema)(arguments)
    assert [next(iter(e)) for e in events] == [
        "messageStart",
        "contentBlockStart",
        *["contentBlockDelta"] * (len(events) - 5),
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    assert all(e[k]["contentBlockIndex"] == 0 for e in events for k in e if k.startswith("contentBlock"))
    assert events[-2] == {"messageStop": {"stopReason": "tool_use"}}
    usage = events[-1]["metadata"]["usage"]
    assert usage["outputTokens"] == len(events) - 5
    assert "cacheReadInputTokens" not in usage


def test_weather_arguments_are_the_minimal_instance(bedrock_runtime: Any) -> None:
    config = {"tools": TOOLS, "toolChoice": {"tool": {"name": "get_weather"}}}
    _, _, text = _tool_call(_stream(bedrock_runtime, messages=[_user("Rain?")], toolConfig=config))
    expected = {"city": "stubst", "unit": "celsius", "days": 1, "where": {"lat": 0.5, "tags": []}, "hours": [3, 3]}
    assert json.loads(text) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [("Please use the get_weather tool for Oslo", "get_weather"), ("Just call a tool, any tool", "get_time")],
)
def test_the_prompt_can_ask_for_a_tool_under_auto(bedrock_runtime: Any, prompt: str, expected: str) -> None:
    events = _stream(bedrock_runtime, messages=[_user(prompt)], toolConfig={"tools": TOOLS})
    assert _tool_call(events)[1] == expected


def test_auto_without_a_trigger_answers_with_text(bedrock_runtime: Any) -> None:
    config = {"tools": TOOLS, "toolChoice": {"auto": {}}}
    events = _stream(bedrock_runtime, messages=[_user("Hello there")], toolConfig=config)
    assert not any("contentBlockStart" in e for e in events)
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == stub_text("Hello there")
    assert events[-2] == {"messageStop": {"stopReason": "end_turn"}}


def test_a_full_tool_loop_ends_with_text_quoting_the_result(bedrock_runtime: Any) -> None:
    config = {"tools": TOOLS, "toolChoice": {"any": {}}}
    first = [_user("Please use the get_weather tool")]
    tool_use_id, name, text = _tool_call(_stream(bedrock_runtime, messages=first, toolConfig=config))
    call = {"toolUse": {"toolUseId": tool_use_id, "name": name, "input": json.loads(text)}}
    result = {"toolResult": {"toolUseId": tool_use_id, "content": [{"text": "Sunny, 21 °C"}]}}
    messages = [*first, {"role": "assistant", "content": [call]}, {"role": "user", "content": [result]}]
    events = _stream(bedrock_runtime, messages=messages, toolConfig=config)
    assert not any("contentBlockStart" in e for e in events)
    answer = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert "The get_weather tool returned: «Sunny, 21 °C»." in answer
    assert events[-2] == {"messageStop": {"stopReason": "end_turn"}}


def test_toolchoice_naming_an_unknown_tool_is_a_validation_error(bedrock_runtime: Any) -> None:
    config = {"tools": TOOLS, "toolChoice": {"tool": {"name": "nope"}}}
    with pytest.raises(bedrock_runtime.exceptions.ValidationException, match="nope"):
        bedrock_runtime.converse_stream(modelId=MODEL, messages=[_user("x")], toolConfig=config)


def test_claude_thinking_streams_reasoning_then_a_signature_then_text(bedrock_runtime: Any) -> None:
    fields = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    events = _stream(bedrock_runtime, messages=[_user("Hello")], additionalModelRequestFields=fields)
    deltas = [e["contentBlockDelta"] for e in events if "contentBlockDelta" in e]
    reasoning = [d for d in deltas if "reasoningContent" in d["delta"]]
    assert len(reasoning) > 2
    assert all(d["contentBlockIndex"] == 0 for d in reasoning)
    assert list(reasoning[-1]["delta"]["reasoningContent"]) == ["signature"]
    assert all(list(d["delta"]["reasoningContent"]) == ["text"] for d in reasoning[:-1])
    text = [d for d in deltas if "text" in d["delta"]]
    assert all(d["contentBlockIndex"] == 1 for d in text)
    assert "".join(d["delta"]["text"] for d in text) == stub_text("Hello")
    assert {"contentBlockStop": {"contentBlockIndex": 0}} in events
    assert deltas.index(reasoning[-1]) < deltas.index(text[0])


@pytest.mark.parametrize(
    "fields", [{"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}, {"reasoning_effort": "low"}]
)
def test_nova2_and_gpt_oss_reasoning_is_text_without_signature(bedrock_runtime: Any, fields: Any) -> None:
    events = _stream(bedrock_runtime, messages=[_user("Hi")], additionalModelRequestFields=fields)
    reasoning = [e["contentBlockDelta"]["delta"] for e in events if "contentBlockDelta" in e]
    reasoning = [d["reasoningContent"] for d in reasoning if "reasoningContent" in d]
    assert reasoning
    assert all(list(r) == ["text"] for r in reasoning)
    if "reasoningConfig" in fields:  # Nova 2 Lite redacts its reasoning
        assert reasoning == [{"text": "[REDACTED]"}]


def test_no_reasoning_unless_asked(bedrock_runtime: Any) -> None:
    fields = {"thinking": {"type": "disabled"}}
    events = _stream(bedrock_runtime, messages=[_user("Hi")], additionalModelRequestFields=fields)
    assert not any("reasoningContent" in e.get("contentBlockDelta", {}).get("delta", {}) for e in events)


def test_cache_points_write_then_read(bedrock_runtime: Any, fake_bedrock: FakeBedrock) -> None:
    point = {"cachePoint": {"type": "default"}}
    system = [{"text": "You are a weather bot. " * 20}, point]
    tools = {"tools": [*TOOLS, point]}

    def usage(question: str) -> dict[str, int]:
        events = _stream(bedrock_runtime, messages=[_user(question)], system=system, toolConfig=tools)
        return dict(events[-1]["metadata"]["usage"])

    first = usage("Rain in Oslo?")
    assert first["cacheReadInputTokens"] == 0
    assert first["cacheWriteInputTokens"] > 0
    second = usage("Rain in Bergen?")  # same tools and system: the whole prefix is read
    assert second["cacheReadInputTokens"] == first["cacheWriteInputTokens"]
    assert second["cacheWriteInputTokens"] == 0
    assert second["totalTokens"] == sum(second[k] for k in second if k != "totalTokens")
    system[0] = {"text": "You are a different bot."}
    third = usage("Rain?")  # the tools prefix is still cached, the system part is written anew
    assert 0 < third["cacheReadInputTokens"] < first["cacheWriteInputTokens"]
    assert third["cacheWriteInputTokens"] > 0
    fake_bedrock.prompt_cache.clear()
    assert usage("Rain?")["cacheReadInputTokens"] == 0


def test_non_streaming_converse_returns_the_tool_call(bedrock_runtime: Any) -> None:
    config = {"tools": TOOLS, "toolChoice": {"tool": {"name": "get_weather"}}}
    fields = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    response = bedrock_runtime.converse(
        modelId=MODEL, messages=[_user("Rain?")], toolConfig=config, additionalModelRequestFields=fields
    )
    assert response["stopReason"] == "tool_use"
    reasoning, call = response["output"]["message"]["content"]
    assert reasoning["reasoningContent"]["reasoningText"]["signature"]
    fastjsonschema.compile(WEATHER_SCHEMA)(call["toolUse"]["input"])
