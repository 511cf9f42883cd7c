"""Per-family invoke decoders: pure, one decoded model event at a time."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_stream.bedrock import ModelFamily, decoder_for, resolve_family, sniff_family
from bedrock_stream.bedrock.decoders import InvokeDecoder
from bedrock_stream.events import (
    BedrockEvent,
    Metrics,
    ReasoningDelta,
    Stop,
    TextDelta,
    ToolUseDelta,
    ToolUseStart,
    ToolUseStop,
    Usage,
)
from tests.unit.bedrock._family_streams import CASES, FamilyCase

PIECES = ["Hel", "lo, ", "wörld ", "🌍", "", " — done."]


def run(decoder: InvokeDecoder, events: list[dict[str, Any]]) -> list[BedrockEvent]:
    out: list[BedrockEvent] = []
    for event in events:
        out.extend(decoder.feed(event))
    return out


def text_of(events: list[BedrockEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_family_stream_decodes_to_exact_text_stop_usage_metrics(case: FamilyCase) -> None:
    family = resolve_family(case.model_id)
    assert family is not None
    decoder = decoder_for(family)
    events = run(decoder, case.build(PIECES))
    assert text_of(events) == "".join(PIECES)
    assert all(e.text for e in events if isinstance(e, TextDelta)), "empty deltas are dropped"
    assert events[-3:] == [Stop(case.stop), case.usage(PIECES), case.metrics()]
    assert decoder.complete


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_sniffed_family_decodes_like_the_resolved_one(case: FamilyCase) -> None:
    chunks = case.build(PIECES)
    sniffed = sniff_family(chunks[0])
    assert sniffed is not None
    resolved = resolve_family(case.model_id)
    assert resolved is not None
    assert run(decoder_for(sniffed), chunks) == run(decoder_for(resolved), chunks)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_not_complete_before_invocation_metrics(case: FamilyCase) -> None:
    decoder = decoder_for(resolve_family(case.model_id) or ModelFamily.OPENAI)
    run(decoder, case.build(PIECES)[:-1])
    assert not decoder.complete


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
    case=st.sampled_from(CASES),
)
def test_any_split_comes_out_identical_and_in_order(text: str, cuts: list[int], case: FamilyCase) -> None:
    bounds = sorted({0, len(text), *(c for c in cuts if c <= len(text))})
    pieces = [text[a:b] for a, b in itertools.pairwise(bounds)]
    events = run(decoder_for(resolve_family(case.model_id) or ModelFamily.OPENAI), case.build(pieces))
    assert text_of(events).encode("utf-8") == text.encode("utf-8")
    assert [e.text for e in events if isinstance(e, TextDelta)] == [p for p in pieces if p]


def test_anthropic_thinking_signature_redacted_and_tool_use() -> None:
    events = run(
        decoder_for(ModelFamily.ANTHROPIC),
        [
            {"type": "message_start", "message": {"usage": {"input_tokens": 187, "output_tokens": 1}}},
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "thinking_delta", "thinking": "This is asking"},
            },
            {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EtUb"}},
            {"type": "content_block_stop", "index": 0},
            {"type": "content_block_start", "index": 1, "content_block": {"type": "redacted_thinking", "data": "AAEC"}},
            {"type": "content_block_stop", "index": 1},
            {
                "type": "content_block_start",
                "index": 2,
                "content_block": {"type": "tool_use", "id": "toolu_bdrk_1", "name": "record", "input": {}},
            },
            {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}},
            {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": '{"a":'}},
            {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "1}"}},
            {"type": "content_block_stop", "index": 2},
            {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 40}},
            {
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": 187,
                    "outputTokenCount": 40,
                    "invocationLatency": 9,
                    "firstByteLatency": 3,
                },
            },
        ],
    )
    assert events == [
        ReasoningDelta(text="This is asking", index=0),
        ReasoningDelta(signature="EtUb", index=0),
        ReasoningDelta(redacted=b"\x00\x01\x02", index=1),
        ToolUseStart(index=2, tool_use_id="toolu_bdrk_1", name="record", type="tool_use"),
        ToolUseDelta(2, '{"a":'),
        ToolUseDelta(2, "1}"),
        ToolUseStop(2),
        Stop("tool_use"),
        Usage(187, 40),
        Metrics(9, 3),
    ]


def test_anthropic_tool_use_cut_by_max_tokens_has_no_stop_block() -> None:
    events = run(
        decoder_for(ModelFamily.ANTHROPIC),
        [
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": "t", "name": "n", "input": {}},
            },
            {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{"}},
            {
                "type": "message_delta",
                "delta": {"stop_reason": "max_tokens"},
                "usage": {"input_tokens": 692, "output_tokens": 32},
            },
            {
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": {"inputTokenCount": 692, "outputTokenCount": 32},
            },
        ],
    )
    assert events[-3:] == [Stop("max_tokens"), Usage(692, 32), Metrics(None, None)]


def test_usage_falls_back_to_family_counts_when_metrics_lack_them() -> None:
    events = run(
        decoder_for(ModelFamily.META),
        [
            {"generation": "hi", "prompt_token_count": 14, "generation_token_count": 1, "stop_reason": None},
            {
                "generation": "",
                "generation_token_count": 3,
                "stop_reason": "length",
                "amazon-bedrock-invocationMetrics": {},
            },
        ],
    )
    assert events[-3:] == [Stop("max_tokens"), Usage(14, 3), Metrics(None, None)]


def test_guardrail_intervention_becomes_the_stop_reason() -> None:
    events = run(
        decoder_for(ModelFamily.TITAN),
        [
            {
                "outputText": "Sorry.",
                "completionReason": "FINISH",
                "amazon-bedrock-guardrailAction": "INTERVENED",
                "amazon-bedrock-invocationMetrics": {},
            }
        ],
    )
    assert Stop("guardrail_intervened") in events
    assert Stop("end_turn") not in events


def test_mistral_chat_tool_call() -> None:
    events = run(
        decoder_for(ModelFamily.MISTRAL),
        [
            {"choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "stop_reason": None}]},
            {
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "",
                            "tool_calls": [
                                {"id": "3Nc", "function": {"name": "get_weather", "arguments": '{"city": "Singapore"}'}}
                            ],
                        },
                        "stop_reason": "tool_calls",
                    }
                ],
                "amazon-bedrock-invocationMetrics": {"inputTokenCount": 5, "outputTokenCount": 6},
            },
        ],
    )
    assert events == [
        ToolUseStart(index=1, tool_use_id="3Nc", name="get_weather"),
        ToolUseDelta(1, '{"city": "Singapore"}'),
        ToolUseStop(1),
        Stop("tool_use"),
        Usage(5, 6),
        Metrics(None, None),
    ]


def test_openai_streamed_tool_call_and_reasoning() -> None:
    events = run(
        decoder_for(ModelFamily.OPENAI),
        [
            {"choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "think"}}]},
            {
                "choices": [
                    {
                        "index": 0,
                        "delta": {
                            "tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "f", "arguments": ""}}]
                        },
                    }
                ]
            },
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"x":1}'}}]}}]},
            {
                "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
                "amazon-bedrock-invocationMetrics": {},
            },
        ],
    )
    assert events[:4] == [
        ReasoningDelta(text="think"),
        ToolUseStart(index=1, tool_use_id="call_1", name="f"),
        ToolUseDelta(1, '{"x":1}'),
        ToolUseStop(1),
    ]
    assert events[4] == Stop("tool_use")


def test_cohere_command_r_tool_call_chunks() -> None:
    events = run(
        decoder_for(ModelFamily.COHERE),
        [
            {
                "is_finished": False,
                "event_type": "tool-calls-chunk",
                "tool_call_delta": {"index": 0, "name": "get_weather"},
            },
            {
                "is_finished": False,
                "event_type": "tool-calls-chunk",
                "tool_call_delta": {"index": 0, "parameters": '{"city"'},
            },
            {
                "is_finished": False,
                "event_type": "tool-calls-chunk",
                "tool_call_delta": {"index": 0, "parameters": ':"Oslo"}'},
            },
            {
                "is_finished": False,
                "event_type": "tool-calls-generation",
                "tool_calls": [{"name": "get_weather", "parameters": {"city": "Oslo"}}],
            },
            {
                "is_finished": True,
                "event_type": "stream-end",
                "finish_reason": "COMPLETE",
                "amazon-bedrock-invocationMetrics": {},
            },
        ],
    )
    assert events[:4] == [
        ToolUseStart(index=1, tool_use_id="", name="get_weather"),
        ToolUseDelta(1, '{"city"'),
        ToolUseDelta(1, ':"Oslo"}'),
        ToolUseStop(1),
    ]


def test_nova_tool_use_and_reasoning() -> None:
    events = run(
        decoder_for(ModelFamily.NOVA),
        [
            {"messageStart": {"role": "assistant"}},
            {"contentBlockDelta": {"delta": {"reasoningContent": {"text": "hmm"}}, "contentBlockIndex": 0}},
            {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "t1", "name": "calc"}}, "contentBlockIndex": 1}},
            {"contentBlockDelta": {"delta": {"toolUse": {"input": '{"q":2}'}}, "contentBlockIndex": 1}},
            {"contentBlockStop": {"contentBlockIndex": 1}},
            {"messageStop": {"stopReason": "tool_use"}},
            {
                "metadata": {"usage": {"inputTokens": 4, "outputTokens": 5, "cacheReadInputTokenCount": 2}},
                "amazon-bedrock-invocationMetrics": {"invocationLatency": 7},
            },
        ],
    )
    assert events == [
        ReasoningDelta(text="hmm", index=0),
        ToolUseStart(index=1, tool_use_id="t1", name="calc"),
        ToolUseDelta(1, '{"q":2}'),
        ToolUseStop(1),
        Stop("tool_use"),
        Usage(4, 5, 2, 0),
        Metrics(7, None),
    ]


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"type": 5},
        {"type": "content_block_delta", "delta": "nope"},
        {"choices": "x"},
        {"choices": [None, 3]},
        {"outputs": [{"text": 7}]},
        {"generation": None},
        {"event_type": "tool-calls-chunk", "tool_call_delta": []},
        {"contentBlockDelta": []},
    ],
)
@pytest.mark.parametrize("family", list(ModelFamily))
def test_odd_shapes_never_crash(family: ModelFamily, event: dict[str, Any]) -> None:
    assert isinstance(decoder_for(family).feed(event), list)
