"""The stub model's text, deltas and limits, and model-id/body parsing per family (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.fake_bedrock import Family, family_for, parse_invoke, split_deltas, stub_text
from emulator.fake_bedrock.families import bare_model_name, prompt_from_template
from emulator.fake_bedrock.stub import answer


def test_stub_text_is_deterministic_echoes_prompt_and_has_multibyte_text() -> None:
    text = stub_text("What is the capital of France?")
    assert text == stub_text("What is the capital of France?")
    assert "What is the capital of France?" in text
    assert "°" in text
    assert "ï" in text
    assert any(ord(ch) > 0xFFFF for ch in text)  # an emoji (4-byte UTF-8)
    assert "«a»" in stub_text("a")
    assert stub_text("a") != stub_text("b")


def test_stub_text_summarizes_long_prompts() -> None:
    text = stub_text("word " * 200)
    assert "…" in text
    assert "(200 words)" in text


@given(st.text())
def test_split_deltas_reassembles_any_text(text: str) -> None:
    deltas = split_deltas(text)
    assert "".join(deltas) == text
    assert all(deltas)


def test_split_deltas_vary_in_size() -> None:
    sizes = {len(delta) for delta in split_deltas(stub_text("hello"))}
    assert len(sizes) > 3


def test_max_tokens_and_stop_sequences() -> None:
    full = stub_text("hi")
    capped = answer("hi", max_tokens=3)
    assert capped.stop == "max_tokens"
    assert len(capped.deltas) == 3
    assert full.startswith(capped.text)
    stopped = answer("hi", stop_sequences=("°",))
    assert stopped.stop == "stop_sequence"
    assert stopped.stop_sequence == "°"
    assert stopped.text == full[: full.index("°")]
    assert answer("hi").stop == "end_turn"
    assert answer("hi").text == full


@pytest.mark.parametrize(
    ("model_id", "body", "family"),
    [
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", {"messages": []}, Family.ANTHROPIC_MESSAGES),
        ("us.anthropic.claude-opus-4-7", {"messages": []}, Family.ANTHROPIC_MESSAGES),
        ("anthropic.claude-v2:1", {"prompt": "x"}, Family.CLAUDE_COMPLETION),
        ("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0", {}, Family.LLAMA),
        ("us.meta.llama4-maverick-17b-instruct-v1:0", {}, Family.LLAMA),
        ("mistral.mistral-7b-instruct-v0:2", {}, Family.MISTRAL_TEXT),
        ("mistral.mistral-large-2402-v1:0", {}, Family.MISTRAL_TEXT),
        ("mistral.mistral-large-2407-v1:0", {}, Family.MISTRAL_CHAT),
        ("mistral.mistral-large-3-675b-instruct", {}, Family.MISTRAL_CHAT),
        ("eu.mistral.pixtral-large-2502-v1:0", {}, Family.MISTRAL_CHAT),
        ("mistral.magistral-small-2509", {}, Family.MISTRAL_CHAT),
        ("cohere.command-text-v14", {}, Family.COHERE_COMMAND),
        ("cohere.command-light-text-v14", {}, Family.COHERE_COMMAND),
        ("cohere.command-r-plus-v1:0", {}, Family.COHERE_COMMAND_R),
        ("amazon.titan-text-express-v1", {}, Family.TITAN),
        ("global.amazon.nova-2-lite-v1:0", {}, Family.NOVA),
        ("ai21.jamba-1-5-large-v1:0", {}, Family.JAMBA),
        ("us.deepseek.r1-v1:0", {}, Family.DEEPSEEK),
        ("openai.gpt-oss-120b-1:0", {}, Family.OPENAI_CHAT),
        ("qwen.qwen3-32b-v1:0", {}, Family.OPENAI_CHAT),
        ("amazon.titan-embed-text-v2:0", {}, None),
        ("ai21.j2-ultra-v1", {}, None),
        ("does-not-exist", {}, None),
        ("us.unknownvendor.model-v1:0", {}, None),
    ],
)
def test_family_for(model_id: str, body: dict[str, Any], family: Family | None) -> None:
    assert family_for(model_id, body) is family


def test_bare_model_name() -> None:
    assert bare_model_name("us.anthropic.claude-sonnet-4-5-20250929-v1:0") == "claude-sonnet-4-5-20250929"
    assert bare_model_name("anthropic.claude-sonnet-4-6") == "claude-sonnet-4-6"


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHello Llama<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            "Hello Llama",
        ),
        ("<s>[INST] first [/INST] ok</s>[INST] second [/INST]", "second"),
        ("<\uff5cbegin\u2581of\u2581sentence\uff5c><\uff5cUser\uff5c>Why?<\uff5cAssistant\uff5c><think>\n", "Why?"),
        ("\n\nHuman: Hi Claude\n\nAssistant:", "Hi Claude"),
        ("User: Hi Titan\nBot:", "Hi Titan"),
        ("  plain prompt ", "plain prompt"),
    ],
)
def test_prompt_from_template(prompt: str, expected: str) -> None:
    assert prompt_from_template(prompt) == expected


def test_parse_invoke_reads_last_user_message_and_limits() -> None:
    body = {
        "messages": [
            {"role": "user", "content": "old"},
            {"role": "assistant", "content": "x"},
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}],
            },
        ],
        "max_tokens": 5,
        "stop_sequences": ["END"],
    }
    request = parse_invoke("anthropic.claude-3-haiku-20240307-v1:0", body)
    assert request is not None
    assert request.prompt == "a\nb"
    assert request.max_tokens == 5
    assert request.stop_sequences == ("END",)
    titan = parse_invoke("amazon.titan-text-lite-v1", {"inputText": "x", "textGenerationConfig": {"maxTokenCount": 9}})
    assert titan is not None
    assert titan.max_tokens == 9
    assert parse_invoke("nope", {}) is None
