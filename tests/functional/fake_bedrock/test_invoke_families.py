"""InvokeModelWithResponseStream through real boto3: each family's native chunks are well formed and carry the
stub text exactly; the last chunk has ``amazon-bedrock-invocationMetrics`` (docs/bedrock-formats.md, "Model
families")."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.fake_bedrock import stub_text

PROMPT = "Tell me about crème brûlée 🍮"
MESSAGES = [{"role": "user", "content": PROMPT}]


@dataclass(frozen=True)
class Case:
    model_id: str
    body: dict[str, Any]
    text: Callable[[dict[str, Any]], str]  # text carried by one event
    check: Callable[[list[dict[str, Any]]], None]  # shape assertions on the whole sequence


def _anthropic_text(e: dict[str, Any]) -> str:
    return str(e["delta"]["text"]) if e["type"] == "content_block_delta" else ""


def _check_anthropic(events: list[dict[str, Any]]) -> None:
    types = [e["type"] for e in events]
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert events[0]["message"]["model"] == "claude-sonnet-4-5-20250929"
    assert events[0]["message"]["id"].startswith("msg_bdrk_")
    assert events[-2]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert events[-2]["usage"]["output_tokens"] == types.count("content_block_delta")


def _check_claude_completion(events: list[dict[str, Any]]) -> None:
    assert all(set(e) >= {"completion", "stop_reason", "stop"} for e in events)
    assert events[-1]["stop_reason"] == "stop_sequence"


def _check_llama(events: list[dict[str, Any]]) -> None:
    assert isinstance(events[0]["prompt_token_count"], int)
    assert all(e["prompt_token_count"] is None for e in events[1:])
    assert [e["generation_token_count"] for e in events[:-1]] == list(range(1, len(events)))
    assert events[-1]["stop_reason"] == "stop"


def _check_mistral_text(events: list[dict[str, Any]]) -> None:
    assert events[-1]["outputs"] == [{"text": "", "stop_reason": "stop"}]


def _check_mistral_chat(events: list[dict[str, Any]]) -> None:
    assert all(e["choices"][0]["message"]["role"] == "assistant" for e in events)
    assert events[-1]["choices"][0]["stop_reason"] == "stop"


def _check_cohere(events: list[dict[str, Any]]) -> None:
    assert events[-1]["is_finished"] is True
    assert events[-1]["finish_reason"] == "COMPLETE"
    assert events[-1]["response"]["generations"][0]["text"] == stub_text(PROMPT)


def _check_cohere_r(events: list[dict[str, Any]]) -> None:
    assert events[0]["event_type"] == "stream-start"
    assert events[-1]["event_type"] == "stream-end"
    assert events[-1]["response"]["text"] == stub_text(PROMPT)
    assert events[-1]["response"]["meta"]["billed_units"]["output_tokens"] > 0


def _check_titan(events: list[dict[str, Any]]) -> None:
    assert events[0]["inputTextTokenCount"] > 0
    assert events[-1]["completionReason"] == "FINISH"
    assert events[-1]["totalOutputTextTokenCount"] == len(events)


def _check_nova(events: list[dict[str, Any]]) -> None:
    assert events[0] == {"messageStart": {"role": "assistant"}}
    assert events[-2] == {"messageStop": {"stopReason": "end_turn"}}
    assert events[-1]["metadata"]["usage"]["outputTokens"] > 0


def _check_jamba(events: list[dict[str, Any]]) -> None:
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert events[-1]["choices"][0]["finish_reason"] == "stop"
    assert events[-1]["usage"]["completion_tokens"] > 0
    assert len({e["id"] for e in events}) == 1


def _check_deepseek(events: list[dict[str, Any]]) -> None:
    assert events[-1]["choices"] == [{"text": "", "stop_reason": "stop"}]


def _check_openai(events: list[dict[str, Any]]) -> None:
    assert all(e["object"] == "chat.completion.chunk" for e in events)
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    assert events[-1]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}


def _choices_delta(e: dict[str, Any]) -> str:
    return str(e["choices"][0]["delta"].get("content", ""))


CASES = {
    "anthropic-messages": Case(
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 500, "messages": MESSAGES},
        _anthropic_text,
        _check_anthropic,
    ),
    "claude-completion": Case(
        "anthropic.claude-v2:1",
        {"prompt": f"\n\nHuman: {PROMPT}\n\nAssistant:", "max_tokens_to_sample": 500},
        lambda e: str(e["completion"]),
        _check_claude_completion,
    ),
    "llama": Case(
        "us.meta.llama3-3-70b-instruct-v1:0",
        {
            "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
            f"{PROMPT}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "max_gen_len": 512,
        },
        lambda e: str(e["generation"]),
        _check_llama,
    ),
    "mistral-text": Case(
        "mistral.mistral-7b-instruct-v0:2",
        {"prompt": f"<s>[INST] {PROMPT} [/INST]", "max_tokens": 400},
        lambda e: str(e["outputs"][0]["text"]),
        _check_mistral_text,
    ),
    "mistral-chat": Case(
        "mistral.mistral-large-2407-v1:0",
        {"messages": MESSAGES, "max_tokens": 400},
        lambda e: str(e["choices"][0]["message"]["content"]),
        _check_mistral_chat,
    ),
    "cohere-command": Case(
        "cohere.command-text-v14",
        {"prompt": PROMPT, "max_tokens": 400, "stream": True},
        lambda e: str(e.get("text", "")) if not e["is_finished"] else "",
        _check_cohere,
    ),
    "cohere-command-r": Case(
        "cohere.command-r-plus-v1:0",
        {"message": PROMPT, "chat_history": []},
        lambda e: str(e.get("text", "")) if e["event_type"] == "text-generation" else "",
        _check_cohere_r,
    ),
    "titan": Case(
        "amazon.titan-text-express-v1",
        {"inputText": PROMPT, "textGenerationConfig": {"maxTokenCount": 400}},
        lambda e: str(e["outputText"]),
        _check_titan,
    ),
    "nova": Case(
        "us.amazon.nova-lite-v1:0",
        {"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": PROMPT}]}]},
        lambda e: str(e["contentBlockDelta"]["delta"]["text"]) if "contentBlockDelta" in e else "",
        _check_nova,
    ),
    "jamba": Case("ai21.jamba-1-5-mini-v1:0", {"messages": MESSAGES, "max_tokens": 400}, _choices_delta, _check_jamba),
    "deepseek": Case(
        "us.deepseek.r1-v1:0",
        {"prompt": f"<\uff5cUser\uff5c>{PROMPT}<\uff5cAssistant\uff5c><think>\n", "max_tokens": 400},
        lambda e: str(e["choices"][0]["text"]),
        _check_deepseek,
    ),
    "gpt-oss": Case("openai.gpt-oss-120b-1:0", {"messages": MESSAGES}, _choices_delta, _check_openai),
}


def _invoke(client: Any, model_id: str, body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = client.invoke_model_with_response_stream(modelId=model_id, body=json.dumps(body))
    events = [json.loads(item["chunk"]["bytes"]) for item in response["body"]]
    return response, events


@pytest.mark.parametrize("name", sorted(CASES))
def test_family_stream_is_native_and_carries_stub_text(name: str, bedrock_runtime: Any) -> None:
    case = CASES[name]
    response, events = _invoke(bedrock_runtime, case.model_id, case.body)
    assert response["contentType"] == "application/json"
    assert "".join(case.text(e) for e in events) == stub_text(PROMPT)
    metrics = events[-1]["amazon-bedrock-invocationMetrics"]
    assert set(metrics) == {"inputTokenCount", "outputTokenCount", "invocationLatency", "firstByteLatency"}
    assert metrics["outputTokenCount"] > 0
    assert all("amazon-bedrock-invocationMetrics" not in e for e in events[:-1])
    case.check(events)


def test_max_tokens_stops_with_the_family_reason(bedrock_runtime: Any) -> None:
    _, anthropic = _invoke(
        bedrock_runtime, "anthropic.claude-3-haiku-20240307-v1:0", {"max_tokens": 3, "messages": MESSAGES}
    )
    assert anthropic[-2]["delta"]["stop_reason"] == "max_tokens"
    assert sum(e["type"] == "content_block_delta" for e in anthropic) == 3
    _, llama = _invoke(bedrock_runtime, "meta.llama3-8b-instruct-v1:0", {"prompt": PROMPT, "max_gen_len": 2})
    assert llama[-1]["stop_reason"] == "length"


@pytest.mark.parametrize("model_id", ["amazon.titan-embed-text-v2:0", "us.does-not-exist-model-v1:0"])
def test_unknown_family_is_a_validation_error(bedrock_runtime: Any, model_id: str) -> None:
    with pytest.raises(bedrock_runtime.exceptions.ValidationException) as caught:
        bedrock_runtime.invoke_model_with_response_stream(modelId=model_id, body=json.dumps({"prompt": "x"}))
    assert caught.value.response["Error"]["Message"] == "The provided model identifier is invalid."
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_malformed_body_is_a_validation_error(bedrock_runtime: Any) -> None:
    with pytest.raises(ClientError) as caught:
        bedrock_runtime.invoke_model_with_response_stream(modelId="meta.llama3-8b-instruct-v1:0", body=b"not json")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Malformed input request" in caught.value.response["Error"]["Message"]
