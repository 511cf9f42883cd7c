"""How invoke streams end: guardrail interventions without invocation metrics, blocks the format never closes,
extra Cohere generations, counts sent as integral floats.

Shapes follow the Bedrock model-parameters pages:
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html,
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-cohere-command.html,
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html, and the
ConverseStream union https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html.
"""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_stream.bedrock import ConverseEventMapper, ModelFamily, decoder_for
from bedrock_stream.bedrock.decoders import InvokeDecoder
from bedrock_stream.events import BedrockEvent, Metrics, Stop, TextDelta, ToolUseDelta, ToolUseStart, ToolUseStop, Usage

TITAN_BLOCKED_INPUT = {
    "outputText": "Sorry, the model cannot answer this question.",
    "index": 0,
    "totalOutputTextTokenCount": 3.0,
    "inputTextTokenCount": 6.0,
    "amazon-bedrock-guardrailAction": "INTERVENED",
}


def run(decoder: InvokeDecoder, events: list[dict[str, Any]]) -> list[BedrockEvent]:
    out: list[BedrockEvent] = []
    for event in events:
        out.extend(decoder.feed(event))
    return out


def complete(decoder: InvokeDecoder) -> bool:
    """The flag read through a call, so a type checker does not narrow it across the decoder's methods."""
    return decoder.complete


def test_guardrail_chunk_without_metrics_ends_normally_with_its_own_counts() -> None:
    decoder = decoder_for(ModelFamily.TITAN)
    events = run(decoder, [TITAN_BLOCKED_INPUT])
    assert events == [TextDelta("Sorry, the model cannot answer this question.")]
    assert not decoder.complete
    assert decoder.end_of_stream() == [Stop("guardrail_intervened"), Usage(6, 3)]
    assert complete(decoder)
    assert decoder.end_of_stream() == []


def test_a_stream_without_metrics_or_intervention_stays_truncated() -> None:
    decoder = decoder_for(ModelFamily.TITAN)
    run(decoder, [{k: v for k, v in TITAN_BLOCKED_INPUT.items() if k != "amazon-bedrock-guardrailAction"}])
    assert decoder.end_of_stream() == []
    assert not decoder.complete


def test_integral_float_counts_read_as_integers_in_invocation_metrics() -> None:
    decoder = decoder_for(ModelFamily.META)
    events = run(
        decoder,
        [
            {
                "generation": "hi",
                "stop_reason": "stop",
                "amazon-bedrock-invocationMetrics": {"inputTokenCount": 14.0, "outputTokenCount": 2.0},
            }
        ],
    )
    assert events[-2:] == [Usage(14, 2), Metrics(None, None)]
    assert decoder.complete


def test_cohere_command_streams_generation_zero_only() -> None:
    chunks: list[dict[str, Any]] = [
        {"text": " Un", "is_finished": False, "index": 0},
        {"text": " Ein", "is_finished": False, "index": 1},
        {"text": " One", "is_finished": False, "index": 2},
        {"text": "o", "is_finished": False, "index": 0},
        {"text": "s", "is_finished": False, "index": 1},
        {
            "is_finished": True,
            "finish_reason": "COMPLETE",
            "response": {
                "generations": [
                    {"index": 0, "text": " Uno", "finish_reason": "COMPLETE"},
                    {"index": 1, "text": " Eins", "finish_reason": "COMPLETE"},
                    {"index": 2, "text": " One", "finish_reason": "MAX_TOKENS"},
                ]
            },
            "amazon-bedrock-invocationMetrics": {"inputTokenCount": 4, "outputTokenCount": 5},
        },
    ]
    events = run(decoder_for(ModelFamily.COHERE), chunks)
    assert [e for e in events if isinstance(e, TextDelta)] == [TextDelta(" Un"), TextDelta("o")]
    assert events[-3:] == [Stop("end_turn"), Usage(4, 5), Metrics(None, None)]


def test_cohere_whole_generations_pick_index_zero() -> None:
    events = run(
        decoder_for(ModelFamily.COHERE),
        [
            {"generations": [{"index": 1, "text": "second"}, {"index": 0, "text": "first"}]},
            {"is_finished": True, "amazon-bedrock-invocationMetrics": {}},
        ],
    )
    assert [e for e in events if isinstance(e, TextDelta)] == [TextDelta("first")]


ANTHROPIC_TOOL_CUT: list[dict[str, Any]] = [
    {"type": "message_start", "message": {"usage": {"input_tokens": 692, "output_tokens": 1}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me check."}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "t", "name": "n"}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"q'}},
    {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 32}},
    {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 692, "outputTokenCount": 32}},
]


def test_anthropic_tool_use_cut_by_max_tokens_is_closed_before_the_stop() -> None:
    events = run(decoder_for(ModelFamily.ANTHROPIC), ANTHROPIC_TOOL_CUT)
    assert events == [
        TextDelta("Let me check."),
        ToolUseStart(index=1, tool_use_id="t", name="n"),
        ToolUseDelta(1, '{"q'),
        ToolUseStop(1),
        Stop("max_tokens"),
        Usage(692, 32),
        Metrics(None, None),
    ]


@pytest.mark.parametrize("family", [ModelFamily.NOVA])
def test_nova_tool_block_without_stop_is_closed(family: ModelFamily) -> None:
    events = run(
        decoder_for(family),
        [
            {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "t1", "name": "calc"}}, "contentBlockIndex": 0}},
            {"contentBlockDelta": {"delta": {"toolUse": {"input": '{"q"'}}, "contentBlockIndex": 0}},
            {"messageStop": {"stopReason": "max_tokens"}},
            {"metadata": {"usage": {"inputTokens": 4, "outputTokens": 5}}, "amazon-bedrock-invocationMetrics": {}},
        ],
    )
    assert events[-4:] == [ToolUseStop(0), Stop("max_tokens"), Usage(4, 5), Metrics(None, None)]


def test_converse_tool_block_without_stop_is_closed_before_the_stop() -> None:
    mapper = ConverseEventMapper()
    events: list[BedrockEvent] = []
    chunks: list[dict[str, Any]] = [
        {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "t1", "name": "calc"}}, "contentBlockIndex": 2}},
        {"contentBlockDelta": {"delta": {"toolUse": {"input": "{"}}, "contentBlockIndex": 2}},
        {"messageStop": {"stopReason": "max_tokens"}},
        {"metadata": {"usage": {"inputTokens": 1, "outputTokens": 2}, "metrics": {"latencyMs": 3}}},
    ]
    for event in chunks:
        events.extend(mapper.map(event))
    assert events[1:] == [ToolUseDelta(2, "{"), ToolUseStop(2), Stop("max_tokens"), Usage(1, 2), Metrics(3)]
