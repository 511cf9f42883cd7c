"""Pacing: frames are flushed as produced, so boto3 sees the first event while the fake is still generating."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from emulator.eventstream import event_frame
from emulator.fake_bedrock import FakeBedrock
from emulator.fake_bedrock.scripted import ScriptedReply
from tests.support.bedrock_scenarios import bedrock_client

MESSAGES = [{"role": "user", "content": [{"text": "pace me"}]}]


def test_first_converse_delta_arrives_while_the_fake_is_still_generating() -> None:
    with FakeBedrock(token_delay_ms=50) as fake:
        client = bedrock_client(fake)
        events = iter(client.converse_stream(modelId="m", messages=MESSAGES)["stream"])
        assert next(events) == {"messageStart": {"role": "assistant"}}
        first = next(events)
        assert "contentBlockDelta" in first
        assert not fake.requests[0].finished.is_set()
        rest = list(events)
        assert "metadata" in rest[-1]
        assert fake.requests[0].finished.wait(5)


def test_first_invoke_chunk_arrives_while_the_fake_is_still_generating() -> None:
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "messages": MESSAGES})
    with FakeBedrock(token_delay_ms=50) as fake:
        client = bedrock_client(fake)
        chunks = iter(client.invoke_model_with_response_stream(modelId="anthropic.claude-3-haiku", body=body)["body"])
        assert json.loads(next(chunks)["chunk"]["bytes"])["type"] == "message_start"
        assert not fake.requests[0].finished.is_set()
        assert json.loads(list(chunks)[-1]["chunk"]["bytes"])["type"] == "message_stop"


def test_first_token_latency_delays_only_the_first_token() -> None:
    with FakeBedrock(first_token_ms=400) as fake:
        client = bedrock_client(fake)
        started = time.monotonic()
        events = iter(client.converse_stream(modelId="m", messages=MESSAGES)["stream"])
        next(events)  # messageStart is not a token
        next(events)
        waited = time.monotonic() - started
        rest: list[Any] = list(events)
        assert waited >= 0.35
        assert "metadata" in rest[-1]
        assert rest[-1]["metadata"]["metrics"]["latencyMs"] >= 350


def _paced_reply(deltas: int, interval_s: float) -> ScriptedReply:
    frames = [event_frame("messageStart", {"role": "assistant"}, None)]
    frames += [
        event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": f"d{k} "}}, None)
        for k in range(deltas)
    ]
    frames.append(event_frame("messageStop", {"stopReason": "end_turn"}, None))
    return ScriptedReply(pieces=frames, interval_s=interval_s)


def test_a_paced_scripted_reply_streams_each_piece_while_the_rest_is_still_scheduled() -> None:
    """``ScriptedReply.interval_s``: the benchmarks' fixed-rate streams; every piece arrives, in order."""
    with FakeBedrock() as fake:
        fake.responder = lambda _request: _paced_reply(20, 0.05)
        client = bedrock_client(fake)
        events = iter(client.converse_stream(modelId="m", messages=MESSAGES)["stream"])
        assert next(events) == {"messageStart": {"role": "assistant"}}
        assert "contentBlockDelta" in next(events)
        assert not fake.requests[0].finished.is_set()
        texts = [event["contentBlockDelta"]["delta"]["text"] for event in events if "contentBlockDelta" in event]
        assert texts == [f"d{k} " for k in range(1, 20)]
        assert fake.requests[0].finished.wait(5)


def test_a_negative_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval_s must be 0 or more"):
        ScriptedReply(interval_s=-0.1)
