"""The stub's Anthropic Messages stream on InvokeModelWithResponseStream (real boto3 over HTTP): tool calls with
schema-valid input, a tool loop and thinking, each event parsed strictly with the ``anthropic`` SDK's types.

Shapes: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html and
Anthropic's "Streaming Messages" (content blocks ``thinking``, ``tool_use``; deltas ``thinking_delta``,
``signature_delta``, ``input_json_delta``).
"""

from __future__ import annotations

import json
from typing import Any

import anthropic.types as at
import fastjsonschema
import pytest

from emulator.fake_bedrock import stub_text
from tests.support.sdk_shapes import strict_parse

MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
    "required": ["city", "unit"],
}
TOOLS = [{"name": "get_weather", "description": "Weather", "input_schema": SCHEMA}]


def _invoke(client: Any, **body: Any) -> list[dict[str, Any]]:
    document = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 2048, **body}
    response = client.invoke_model_with_response_stream(modelId=MODEL, body=json.dumps(document))
    events = [json.loads(part["chunk"]["bytes"]) for part in response["body"]]
    for event in events:
        strict_parse(at.RawMessageStreamEvent, {k: v for k, v in event.items() if not k.startswith("amazon-")})
    return events


def _blocks(events: list[dict[str, Any]]) -> list[str]:
    return [e["content_block"]["type"] for e in events if e["type"] == "content_block_start"]


@pytest.mark.parametrize("choice", [{"type": "any"}, {"type": "tool", "name": "get_weather"}])
def test_tool_choice_gets_a_tool_call_then_the_loop_ends_in_text(bedrock_runtime: Any, choice: Any) -> None:
    messages: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
    events = _invoke(bedrock_runtime, messages=messages, tools=TOOLS, tool_choice=choice)
    assert _blocks(events) == ["tool_use"]
    (start,) = [e["content_block"] for e in events if e["type"] == "content_block_start"]
    pieces = [e["delta"]["partial_json"] for e in events if e["type"] == "content_block_delta"]
    assert len(pieces) > 1
    arguments = json.loads("".join(pieces))
    fastjsonschema.compile(SCHEMA)(arguments)
    (ending,) = [e for e in events if e["type"] == "message_delta"]
    assert ending["delta"]["stop_reason"] == "tool_use"
    assert ending["usage"]["output_tokens"] == len(pieces)
    assert events[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == len(pieces)

    call = {"type": "tool_use", "id": start["id"], "name": start["name"], "input": arguments}
    result = {"type": "tool_result", "tool_use_id": start["id"], "content": "Sunny"}
    messages += [{"role": "assistant", "content": [call]}, {"role": "user", "content": [result]}]
    events = _invoke(bedrock_runtime, messages=messages, tools=TOOLS, tool_choice=choice)
    assert _blocks(events) == ["text"]
    text = "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")
    assert "The get_weather tool returned: «Sunny»." in text


def test_tool_choice_none_and_auto_answer_with_text(bedrock_runtime: Any) -> None:
    user = [{"role": "user", "content": "Please use the get_weather tool"}]
    assert _blocks(_invoke(bedrock_runtime, messages=user, tools=TOOLS)) == ["tool_use"]  # the prompt asks
    events = _invoke(bedrock_runtime, messages=user, tools=TOOLS, tool_choice={"type": "none"})
    assert _blocks(events) == ["text"]
    plain = [{"role": "user", "content": "Hello"}]
    events = _invoke(bedrock_runtime, messages=plain, tools=TOOLS, tool_choice={"type": "auto"})
    assert "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta") == stub_text("Hello")


def test_thinking_comes_first_with_a_signature(bedrock_runtime: Any) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    events = _invoke(bedrock_runtime, messages=[{"role": "user", "content": "Hello"}], thinking=thinking)
    assert _blocks(events) == ["thinking", "text"]
    kinds = [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]
    signature_at = kinds.index("signature_delta")
    assert set(kinds[:signature_at]) == {"thinking_delta"}
    assert set(kinds[signature_at + 1 :]) == {"text_delta"}
    text = "".join(e["delta"].get("text", "") for e in events if e["type"] == "content_block_delta")
    assert text == stub_text("Hello")
