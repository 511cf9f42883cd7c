"""Prompt-caching usage from ConverseStream ``metadata.usage`` (``TokenUsage``:
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html) through real boto3 and the app:
native formats report all four counts and Bedrock's ``totalTokens``; the OpenAI route counts cached input in
``prompt_tokens`` with the split in ``prompt_tokens_details``; the request log and the metrics carry the cache counts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource
from bedrock_stream.events import Usage
from emulator.eventstream import event_frame
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.unit.api.support import harness, json_event, run

USAGE = {
    "inputTokens": 12,
    "outputTokens": 30,
    "cacheReadInputTokens": 1500,
    "cacheWriteInputTokens": 200,
    "totalTokens": 1742,
}


@pytest.fixture
def cached(server: FakeBedrock) -> FakeBedrock:
    server.responder = lambda _req: ScriptedReply(
        pieces=[
            event_frame("messageStart", {"role": "assistant"}),
            event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}}),
            event_frame("contentBlockStop", {"contentBlockIndex": 0}),
            event_frame("messageStop", {"stopReason": "end_turn"}),
            event_frame("metadata", {"usage": USAGE, "metrics": {"latencyMs": 5}}),
        ]
    )
    return server


def test_usage_event_keeps_every_count_and_bedrocks_total(cached: FakeBedrock, source: BotoBedrockSource) -> None:
    app = harness(source_override=source)
    result = run(app, json_event({"prompt": "hi"}, query="format=ndjson"))
    done = json.loads(result.body.splitlines()[-1])
    assert done["usage"] == {
        "input_tokens": 12,
        "output_tokens": 30,
        "cache_read_input_tokens": 1500,
        "cache_write_input_tokens": 200,
        "total_tokens": 1742,
    }


def test_openai_usage_counts_cached_input_as_prompt_tokens(
    cached: FakeBedrock, source: BotoBedrockSource, capsys: pytest.CaptureFixture[str]
) -> None:
    app = harness(source_override=source)
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "hi"}], "stream": False}
    completion = run(app, json_event(body, path="/v1/chat/completions")).json()
    assert completion["usage"] == {
        "prompt_tokens": 1712,
        "completion_tokens": 30,
        "total_tokens": 1742,
        "prompt_tokens_details": {"cached_tokens": 1500, "cache_write_tokens": 200},
    }
    line = json.loads(app.log.getvalue().splitlines()[-1])
    counts = (line["cache_read_input_tokens"], line["cache_write_input_tokens"], line["total_tokens"])
    assert counts == (1500, 200, 1742)
    emf = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (emf["CacheReadInputTokens"], emf["CacheWriteInputTokens"]) == ([1500.0], [200.0])


def test_total_without_a_reported_one_sums_all_four_counts() -> None:
    assert Usage(12, 30, 1500, 200).total_tokens == 1742
    assert Usage(12, 30, 1500, 200, reported_total=1742).total_tokens == 1742
