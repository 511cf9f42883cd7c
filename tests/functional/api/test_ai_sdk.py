"""The Vercel AI SDK (npm ``ai`` + ``@ai-sdk/openai-compatible``) against the local Function URL: streamed text and a
streamed tool call through ``/v1/chat/completions`` (tests/node/ai_sdk_chat.mjs, run with the pinned Node).

Both packages are pinned in package.json, so `make test` installs them (``AI_SDK_NODE_PATH`` may name another
node_modules folder holding them).
Reference: the AI SDK's OpenAI Compatible provider (https://ai-sdk.dev/providers/openai-compatible-providers).
"""

from __future__ import annotations

from typing import Any

from emulator.fake_bedrock import FakeBedrock, split_frames, stub_text
from emulator.local import LocalLambda
from tests.support.node_scripts import run_node_script
from tests.support.recorded import needs_recordings, recorded_file
from tests.unit.api.support import MODEL, OTHER

PROMPT = "Stream this through the AI SDK: naïve café 🌍"


def run_script(local: LocalLambda, mode: str, model: str, prompt: str) -> Any:
    """What tests/node/ai_sdk_chat.mjs saw of one streamed call."""
    env = {"BASE_URL": f"{local.url}/v1", "MODEL": model, "PROMPT": prompt, "MODE": mode}
    return run_node_script("ai_sdk_chat.mjs", env)


def test_stream_text(local: LocalLambda, fake: FakeBedrock) -> None:
    seen = run_script(local, "text", MODEL, PROMPT)
    assert seen["errors"] == []
    assert seen["text"] == stub_text(PROMPT)
    assert seen["deltas"] > 3
    assert seen["finishReason"] == "stop"
    assert seen["outputTokens"] > 0


@needs_recordings
def test_stream_tool_call(local: LocalLambda, fake: FakeBedrock) -> None:
    fake.mode, fake.replay_frames = (
        "replay",
        split_frames(recorded_file("converse-nova-micro-tool-use-turn1.bin").read_bytes()),
    )
    seen = run_script(local, "tool", OTHER, "What is the temperature in the capital of France?")
    assert seen["errors"] == []
    assert seen["finishReason"] == "tool-calls"
    [call] = seen["toolCalls"]
    assert (call["name"], call["input"]) == ("get_temperature", {"city": "Paris"})
    assert call["id"]
