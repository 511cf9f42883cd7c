"""The AI SDK's own UI client (npm ``ai``: ``DefaultChatTransport``, which parses every chunk with the SDK's strict
``uiMessageChunkSchema``, and ``readUIMessageStream``) against ``POST /v1/ui/chat`` on the local Function URL with
the stub model: text, reasoning and a tool call, then the tool's output sent back the way ``useChat`` sends it;
heartbeats (SSE comments) during a pause, and the idle error as an ``error`` part the SDK reports
(tests/node/ai_sdk_ui_chat.mjs, run with the pinned Node).

Reference: the AI SDK "Stream Protocols: UI message stream" (https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol) and
"Transport" (https://ai-sdk.dev/docs/ai-sdk-ui/transport).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.fake_bedrock import FakeBedrock, StallAfter, stub_text
from emulator.local import BedrockOptions, LocalLambda
from tests.support.node_scripts import run_node_script

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
TOOLS = {
    "get_temperature": {
        "description": "Temperature of a city",
        "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
}


def lambda_with(**settings: str) -> LocalLambda:
    env = {"BEDROCK_STREAM_MODELS": CLAUDE, "BEDROCK_STREAM_DEFAULT_MODEL": CLAUDE, **settings}
    return LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub"))


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    """Heartbeats every 0.2 s while Bedrock is silent (the stub never is unless a fault is injected)."""
    with lambda_with(BEDROCK_STREAM_HEARTBEAT_SECONDS="0.2") as lam:
        yield lam


@pytest.fixture(scope="module")
def idling() -> Iterator[LocalLambda]:
    """Heartbeats every 0.2 s and the idle timeout at 1.5 s."""
    with lambda_with(BEDROCK_STREAM_HEARTBEAT_SECONDS="0.2", BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS="1.5") as lam:
        yield lam


def faults(local: LocalLambda) -> FakeBedrock:
    bedrock: FakeBedrock = local.fake_bedrock
    bedrock.clear_faults()
    return bedrock


def run_script(local: LocalLambda, prompt: str, body: dict[str, Any] | None = None, follow_up: bool = False) -> Any:
    """What tests/node/ai_sdk_ui_chat.mjs saw of one useChat exchange."""
    env = {
        "URL": f"{local.url}/v1/ui/chat",
        "PROMPT": prompt,
        "BODY": json.dumps(body or {}),
        "FOLLOW_UP": "1" if follow_up else "0",
    }
    return run_node_script("ai_sdk_ui_chat.mjs", env)


def test_text(local: LocalLambda) -> None:
    prompt = "Stream this through useChat: naïve café 🌍"
    seen = run_script(local, prompt)
    assert seen["errors"] == []
    assert seen["types"][:3] == ["start", "start-step", "text-start"]
    assert seen["types"][-3:] == ["text-end", "finish-step", "finish"]
    [text] = [p for p in seen["parts"] if p["type"] == "text"]
    assert text["text"] == stub_text(prompt)
    assert seen["finish"]["finishReason"] == "stop"
    assert seen["finish"]["messageMetadata"]["usage"]["outputTokens"] > 0


def test_reasoning(local: LocalLambda) -> None:
    seen = run_script(local, "Think first, then answer.", {"reasoningEffort": "low"})
    assert seen["errors"] == []
    kinds = [p["type"] for p in seen["parts"] if p["type"] in ("reasoning", "text")]
    assert kinds == ["reasoning", "text"]
    reasoning = seen["parts"][[p["type"] for p in seen["parts"]].index("reasoning")]
    assert reasoning["text"]
    assert reasoning["providerMetadata"]["bedrock"]["signature"]


def test_tool_call_and_its_output_sent_back(local: LocalLambda) -> None:
    seen = run_script(local, "Please use the get_temperature tool for Paris.", {"tools": TOOLS}, follow_up=True)
    assert seen["errors"] == []
    assert "tool-input-start" in seen["types"]
    assert "tool-input-available" in seen["types"]
    assert seen["finish"]["finishReason"] == "tool-calls"
    [call] = [p for p in seen["parts"] if p["type"] == "tool-get_temperature"]
    assert call["state"] == "input-available"
    assert call["toolCallId"]
    assert set(call["input"]) == {"city"}
    after = seen["followUp"]
    assert after["errors"] == []
    [text] = [p for p in after["parts"] if p["type"] == "text"]
    assert "get_temperature" in text["text"]
    assert "21" in text["text"]


def test_heartbeats_during_a_pause_are_skipped_by_the_sdk(local: LocalLambda) -> None:
    prompt = "Pause in the middle, please."
    faults(local).inject(StallAfter(after=3, seconds=1.0))  # five heartbeats' worth of silence
    with httpx.stream("POST", f"{local.url}/v1/ui/chat", json={"messages": [user_message(prompt)]}, timeout=20) as r:
        raw = b"".join(r.iter_raw()).decode()
    assert ": ping\n\n" in raw
    assert raw.endswith("data: [DONE]\n\n")
    faults(local).inject(StallAfter(after=3, seconds=1.0))
    seen = run_script(local, prompt)
    assert seen["errors"] == []
    [text] = [p for p in seen["parts"] if p["type"] == "text"]
    assert text["text"] == stub_text(prompt)


def test_idle_bedrock_ends_with_an_error_part_the_sdk_reports(idling: LocalLambda) -> None:
    faults(idling).inject(StallAfter(after=3))  # then nothing until the fake stops
    seen = run_script(idling, "Go quiet after a few words.")
    assert any("upstream_idle" in error for error in seen["errors"])
    assert "error" in seen["types"]
    faults(idling)


def user_message(text: str) -> dict[str, Any]:
    return {"id": "u1", "role": "user", "parts": [{"type": "text", "text": text}]}
