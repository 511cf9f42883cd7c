"""ConverseStream request building and event mapping (pure)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from bedrock_stream.bedrock import ConverseEventMapper, GuardrailConfig, build_converse_params
from bedrock_stream.chat import ChatMessage, ChatRequest
from bedrock_stream.events import (
    Metrics,
    ReasoningDelta,
    Stop,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)
from bedrock_stream.settings import Settings


def test_minimal_request_sends_only_what_is_set() -> None:
    request = ChatRequest(model="m", messages=(ChatMessage(role="user", content=(MappingProxyType({"text": "hi"}),)),))
    assert build_converse_params(request) == {
        "modelId": "m",
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
    }


def test_tool_config_is_plain_json() -> None:
    tools = MappingProxyType({"tools": ({"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}},)})
    request = ChatRequest(model="m", messages=(), tool_config=tools)
    params = build_converse_params(request)
    assert params["toolConfig"] == {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}]}
    assert type(params["toolConfig"]) is dict


def test_guardrail_from_settings() -> None:
    base = {"BEDROCK_STREAM_MODELS": "m"}
    assert GuardrailConfig.from_settings(Settings.from_env(base)) is None
    settings = Settings.from_env(
        {**base, "BEDROCK_STREAM_GUARDRAIL_ID": "g", "BEDROCK_STREAM_GUARDRAIL_VERSION": "DRAFT"}
    )
    assert GuardrailConfig.from_settings(settings) == GuardrailConfig(
        identifier="g", version="DRAFT", stream_processing_mode="sync"
    )


def test_mapper_covers_all_event_kinds() -> None:
    mapper = ConverseEventMapper()
    events: list[dict[str, Any]] = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": ""}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"reasoningContent": {"redactedContent": b"\x01"}}}},
        {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"citation": {"title": "t"}}}},
        {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"text": "a"}}},
        {
            "contentBlockStart": {
                "contentBlockIndex": 2,
                "start": {"toolUse": {"toolUseId": "t", "name": "n", "type": "server_tool_use"}},
            }
        },
        {"contentBlockDelta": {"contentBlockIndex": 2, "delta": {"toolUse": {"input": "{}"}}}},
        {"contentBlockStop": {"contentBlockIndex": 2}},
        {
            "contentBlockStart": {
                "contentBlockIndex": 3,
                "start": {"toolResult": {"toolUseId": "t", "status": "success"}},
            }
        },
        {"contentBlockDelta": {"contentBlockIndex": 3, "delta": {"toolResult": [{"text": "x"}]}}},
        {"contentBlockStop": {"contentBlockIndex": 3}},
        {"messageStop": {"stopReason": "guardrail_intervened"}},
        {
            "metadata": {
                "usage": {"inputTokens": 1, "outputTokens": 2, "cacheReadInputTokens": 3, "cacheWriteInputTokens": 4},
                "metrics": {"latencyMs": 5},
            }
        },
    ]
    out = [e for event in events for e in mapper.map(event)]
    assert out == [
        ReasoningDelta(redacted=b"\x01", index=0),
        TextDelta("a", 1),
        ToolUseStart(index=2, tool_use_id="t", name="n", type="server_tool_use"),
        ToolUseDelta(2, "{}"),
        ToolUseStop(2),
        Stop("guardrail_intervened"),
        Usage(1, 2, 3, 4),
        Metrics(5),
    ]
    assert mapper.complete
