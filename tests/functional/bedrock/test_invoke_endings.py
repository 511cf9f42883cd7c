"""Invoke streams that end unusually, framed as real ``chunk`` events and read by real boto3 over loopback, then
through the app: a guardrail intervention without invocation metrics, a tool call Anthropic never closes, and a
Cohere Command request with several generations.

Shapes: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html,
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html,
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource
from bedrock_stream.events import Stop, TextDelta, ToolUseStop, Usage
from emulator.eventstream import chunk_frame
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from tests.unit.api.support import harness, run, url_event
from tests.unit.bedrock.test_stream_endings import ANTHROPIC_TOOL_CUT, TITAN_BLOCKED_INPUT

TITAN = "amazon.titan-text-express-v1"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
COHERE = "cohere.command-text-v14"


def _serve(server: FakeBedrock, events: list[dict[str, Any]]) -> None:
    server.responder = lambda _req: ScriptedReply(pieces=[chunk_frame(event) for event in events])


def test_guardrail_intervention_without_metrics_ends_normally(server: FakeBedrock, source: BotoBedrockSource) -> None:
    _serve(server, [TITAN_BLOCKED_INPUT])
    events = list(source.invoke(TITAN, b'{"inputText": "hi"}'))
    assert events == [
        TextDelta("Sorry, the model cannot answer this question."),
        Stop("guardrail_intervened"),
        Usage(6, 3),
    ]


def test_guardrail_intervention_reaches_the_client_as_done(server: FakeBedrock, source: BotoBedrockSource) -> None:
    _serve(server, [TITAN_BLOCKED_INPUT])
    app = harness(source_override=source, models=(TITAN,), default_model=TITAN)
    result = run(app, url_event(path=f"/model/{TITAN}/invoke", body='{"inputText": "hi"}', query="format=ndjson"))
    assert (result.status, result.error) == (200, None)
    lines = [json.loads(line) for line in result.body.splitlines()]
    assert lines[-1]["type"] == "done"
    assert lines[-1]["stop_reason"] == "guardrail_intervened"
    assert (lines[-1]["usage"]["input_tokens"], lines[-1]["usage"]["output_tokens"]) == (6, 3)


def test_open_anthropic_tool_block_is_closed_before_done(server: FakeBedrock, source: BotoBedrockSource) -> None:
    _serve(server, ANTHROPIC_TOOL_CUT)
    events = list(source.invoke(CLAUDE, b"{}"))
    assert events.index(ToolUseStop(1)) < events.index(Stop("max_tokens"))
    app = harness(source_override=source)
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 32, "messages": []})
    result = run(app, url_event(path=f"/model/{CLAUDE}/invoke", body=body, query="format=ndjson"))
    kinds = [json.loads(line)["type"] for line in result.body.splitlines()]
    assert kinds == ["text", "tool_use_start", "tool_use_delta", "tool_use_stop", "done"]


@pytest.mark.parametrize("generations", [3])
def test_cohere_command_streams_only_generation_zero(
    server: FakeBedrock, source: BotoBedrockSource, generations: int
) -> None:
    chunks: list[dict[str, Any]] = [
        {"text": f" g{index}-{piece}", "is_finished": False, "index": index}
        for piece in range(2)
        for index in range(generations)
    ]
    chunks.append({"is_finished": True, "finish_reason": "COMPLETE", "amazon-bedrock-invocationMetrics": {}})
    _serve(server, chunks)
    events = list(source.invoke(COHERE, b'{"prompt": "hi", "num_generations": 3}'))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == " g0-0 g0-1"
