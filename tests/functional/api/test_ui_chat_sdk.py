"""The AI SDK's own UI client (npm ``ai``: ``DefaultChatTransport``, which parses every chunk with the SDK's strict
``uiMessageChunkSchema``, and ``readUIMessageStream``) against ``POST /v1/ui/chat`` on the local Function URL with
the stub model: text, reasoning and a tool call, then the tool's output sent back the way ``useChat`` sends it
(tests/node/ai_sdk_ui_chat.mjs, run with the pinned Node).

Reference: the AI SDK "Stream Protocols: UI message stream" (https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol) and
"Transport" (https://ai-sdk.dev/docs/ai-sdk-ui/transport).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.fake_bedrock import stub_text
from emulator.local import BedrockOptions, LocalLambda

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tests" / "node" / "ai_sdk_ui_chat.mjs"
NODE = ROOT / "node_modules" / ".bin" / "node"
NODE_PATH = os.environ.get("AI_SDK_NODE_PATH", str(ROOT / "node_modules"))
CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
TOOLS = {
    "get_temperature": {
        "description": "Temperature of a city",
        "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalLambda]:
    env = {"BEDROCK_STREAM_MODELS": CLAUDE, "BEDROCK_STREAM_DEFAULT_MODEL": CLAUDE}
    with LocalLambda(env=env, timeout=30, bedrock=BedrockOptions(mode="stub")) as lam:
        yield lam


def run_script(local: LocalLambda, prompt: str, body: dict[str, Any] | None = None, follow_up: bool = False) -> Any:
    """Run the script as stdin from the folder holding node_modules (ESM resolves packages from there)."""
    env = {
        **os.environ,
        "URL": f"{local.url}/v1/ui/chat",
        "PROMPT": prompt,
        "BODY": json.dumps(body or {}),
        "FOLLOW_UP": "1" if follow_up else "0",
    }
    done = subprocess.run(
        [str(NODE), "--input-type=module", "-"],
        input=SCRIPT.read_text(),
        cwd=Path(NODE_PATH).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


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
