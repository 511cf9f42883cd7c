"""The function's model-family registry (functions/bedrock_stream/bedrock/registry.py) and the fake Bedrock's shape
table (emulator/fake_bedrock/families.py) agree: the same ids map to the same family, the same providers, the same
token-limit fields, and every stub shape decodes, through the function's decoder, to the stub's exact answer.

Two tables because the layering rules (tests/unit/test_layering.py) keep ``emulator`` and ``bedrock_stream`` from
importing each other; this test is what makes them one source of truth.
"""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_stream.bedrock import FAMILIES, UnsupportedModelError, decoder_for, resolve_family
from bedrock_stream.events import BedrockEvent, Stop, TextDelta, Usage
from emulator.fake_bedrock.families import SHAPES, Family, family_for, invoke_events, parse_invoke
from emulator.fake_bedrock.stub import answer

MESSAGES = [{"role": "user", "content": "Bonjour 👋"}]

IDS: list[tuple[str, dict[str, Any]]] = [
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", {"messages": MESSAGES}),
    ("us.anthropic.claude-opus-4-7", {"messages": MESSAGES}),
    ("anthropic.claude-v2:1", {"prompt": "x"}),
    ("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0", {}),
    ("us.meta.llama4-maverick-17b-instruct-v1:0", {}),
    ("mistral.mistral-7b-instruct-v0:2", {}),
    ("mistral.mistral-large-2402-v1:0", {}),
    ("mistral.mistral-large-2407-v1:0", {}),
    ("mistral.mistral-large-3-675b-instruct", {}),
    ("eu.mistral.pixtral-large-2502-v1:0", {}),
    ("cohere.command-text-v14", {}),
    ("cohere.command-light-text-v14", {}),
    ("cohere.command-r-plus-v1:0", {}),
    ("cohere.embed-english-v3", {}),
    ("amazon.titan-text-express-v1", {}),
    ("amazon.titan-text-premier-v1:0", {}),
    ("amazon.titan-tg1-large", {}),
    ("amazon.titan-embed-text-v2:0", {}),
    ("amazon.nova-micro-v1:0", {}),
    ("global.amazon.nova-2-lite-v1:0", {}),
    ("amazon.nova-sonic-v1:0", {}),
    ("amazon.nova-canvas-v1:0", {}),
    ("amazon.nova-2-multimodal-embeddings-v1:0", {}),
    ("ai21.jamba-1-5-large-v1:0", {}),
    ("ai21.j2-ultra-v1", {}),
    ("us.deepseek.r1-v1:0", {}),
    ("deepseek.v3.2", {}),
    ("openai.gpt-oss-120b-1:0", {}),
    ("qwen.qwen3-32b-v1:0", {}),
    ("writer.palmyra-x5-v1:0", {}),
    ("us.unknownvendor.model-v1:0", {}),
]


def _function_family(model_id: str) -> str | None:
    try:
        family = resolve_family(model_id)
    except UnsupportedModelError:
        return None
    return None if family is None else family.value


def _emulator_family(model_id: str, body: dict[str, Any]) -> str | None:
    shape = family_for(model_id, body)
    return None if shape is None else SHAPES[shape].decoder_family


@pytest.mark.parametrize(("model_id", "body"), IDS, ids=[model_id for model_id, _ in IDS])
def test_both_tables_map_the_id_to_the_same_family(model_id: str, body: dict[str, Any]) -> None:
    assert _emulator_family(model_id, body) == _function_family(model_id)


def test_every_family_has_a_stub_shape_and_every_shape_a_decoder() -> None:
    assert {shape.decoder_family for shape in SHAPES.values()} == {spec.family.value for spec in FAMILIES}


def test_both_tables_know_the_same_providers_per_family() -> None:
    for spec in FAMILIES:
        shapes = [s for s in SHAPES.values() if s.decoder_family == spec.family.value]
        assert {p for s in shapes for p in s.providers} == spec.providers, spec.family


def test_both_tables_name_the_same_token_limit_fields() -> None:
    for spec in FAMILIES:
        shapes = [s for s in SHAPES.values() if s.decoder_family == spec.family.value]
        assert {f for s in shapes for f in s.limit_fields} == set(spec.limit_fields), spec.family
        for shape in shapes:
            assert shape.limit_fields == tuple(f for f in spec.limit_fields if f in shape.limit_fields)


PROMPT_BODIES: dict[Family, tuple[str, dict[str, Any]]] = {
    Family.ANTHROPIC_MESSAGES: ("anthropic.claude-3-haiku-20240307-v1:0", {"messages": MESSAGES, "max_tokens": 9}),
    Family.CLAUDE_COMPLETION: ("anthropic.claude-v2:1", {"prompt": "\n\nHuman: Bonjour\n\nAssistant:"}),
    Family.LLAMA: ("meta.llama3-8b-instruct-v1:0", {"prompt": "Bonjour", "max_gen_len": 9}),
    Family.MISTRAL_CHAT: ("mistral.mistral-large-2407-v1:0", {"messages": MESSAGES}),
    Family.MISTRAL_TEXT: ("mistral.mistral-7b-instruct-v0:2", {"prompt": "<s>[INST] Bonjour [/INST]"}),
    Family.COHERE_COMMAND_R: ("cohere.command-r-v1:0", {"message": "Bonjour"}),
    Family.COHERE_COMMAND: ("cohere.command-text-v14", {"prompt": "Bonjour", "max_tokens": 4}),
    Family.TITAN: ("amazon.titan-tg1-large", {"inputText": "Bonjour", "textGenerationConfig": {"maxTokenCount": 5}}),
    Family.NOVA: ("amazon.nova-micro-v1:0", {"messages": MESSAGES, "inferenceConfig": {"maxTokens": 7}}),
    Family.JAMBA: ("ai21.jamba-1-5-mini-v1:0", {"messages": MESSAGES}),
    Family.DEEPSEEK: ("deepseek.r1-v1:0", {"prompt": "Bonjour"}),
    Family.OPENAI_CHAT: ("openai.gpt-oss-20b-1:0", {"messages": MESSAGES, "max_tokens": 6}),
}


def test_every_shape_has_a_decode_case() -> None:
    assert set(PROMPT_BODIES) == set(SHAPES)


@pytest.mark.parametrize("shape", list(PROMPT_BODIES), ids=lambda f: f.value)
def test_stub_shape_decodes_to_the_stub_answer(shape: Family) -> None:
    model_id, body = PROMPT_BODIES[shape]
    request = parse_invoke(model_id, body)
    assert request is not None
    assert request.family is shape
    stub = answer(request.prompt, max_tokens=request.max_tokens, stop_sequences=request.stop_sequences)
    metrics = {"inputTokenCount": stub.input_tokens, "outputTokenCount": stub.output_tokens}
    family = resolve_family(model_id)
    assert family is not None
    decoder = decoder_for(family)
    events: list[BedrockEvent] = []
    for event, _ in invoke_events(model_id, request, stub, lambda _a: {**metrics, "invocationLatency": 1}):
        events.extend(decoder.feed(event))
    assert decoder.complete
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == stub.text
    # Claude Text Completions reports a natural end as the "\n\nHuman:" stop sequence.
    natural_end = {"end_turn", "stop_sequence"}
    allowed = {"max_tokens"} if stub.stop == "max_tokens" else natural_end
    assert [e.reason for e in events if isinstance(e, Stop)][-1] in allowed
    usage = next(e for e in events if isinstance(e, Usage))
    assert (usage.input_tokens, usage.output_tokens) == (stub.input_tokens, stub.output_tokens)
    if request.max_tokens is not None:
        assert stub.output_tokens <= request.max_tokens
