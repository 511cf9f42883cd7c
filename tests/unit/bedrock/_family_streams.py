"""Native invoke chunk sequences per model family (shapes from the Bedrock model-parameters pages),
built for any split of a text into pieces. Pure data, shared by unit, functional and property tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bedrock_stream.events import Metrics, Usage

INPUT_TOKENS = 11
METRICS = {"invocationLatency": 100, "firstByteLatency": 50}


def _metrics(pieces: list[str]) -> dict[str, Any]:
    return {"inputTokenCount": INPUT_TOKENS, "outputTokenCount": len(pieces), **METRICS}


def anthropic(pieces: list[str]) -> list[dict[str, Any]]:
    usage = {
        "input_tokens": INPUT_TOKENS,
        "cache_creation_input_tokens": 2,
        "cache_read_input_tokens": 3,
        "output_tokens": 1,
    }
    return [
        {"type": "message_start", "message": {"id": "msg_bdrk_1", "role": "assistant", "content": [], "usage": usage}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}} for p in pieces),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": len(pieces)},
        },
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": _metrics(pieces)},
    ]


def claude_completion(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        *({"completion": p, "stop_reason": None, "stop": None} for p in pieces),
        {
            "completion": "",
            "stop_reason": "stop_sequence",
            "stop": "\n\nHuman:",
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def llama(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        *(
            {
                "generation": p,
                "prompt_token_count": INPUT_TOKENS if i == 0 else None,
                "generation_token_count": i + 1,
                "stop_reason": None,
            }
            for i, p in enumerate(pieces)
        ),
        {
            "generation": "",
            "prompt_token_count": None,
            "generation_token_count": len(pieces),
            "stop_reason": "stop",
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def mistral_text(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        *({"outputs": [{"text": p, "stop_reason": None}]} for p in pieces),
        {"outputs": [{"text": "", "stop_reason": "length"}], "amazon-bedrock-invocationMetrics": _metrics(pieces)},
    ]


def mistral_chat(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        *(
            {"choices": [{"index": 0, "message": {"role": "assistant", "content": p}, "stop_reason": None}]}
            for p in pieces
        ),
        {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "stop_reason": "stop"}],
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def cohere_command(pieces: list[str]) -> list[dict[str, Any]]:
    full = "".join(pieces)
    return [
        *({"text": p, "is_finished": False} for p in pieces),
        {
            "is_finished": True,
            "finish_reason": "COMPLETE",
            "response": {
                "id": "g1",
                "generations": [{"id": "g1", "text": full, "finish_reason": "COMPLETE"}],
                "prompt": "hi",
            },
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def cohere_command_r(pieces: list[str]) -> list[dict[str, Any]]:
    full = "".join(pieces)
    return [
        {"is_finished": False, "event_type": "stream-start", "generation_id": "g1"},
        *({"is_finished": False, "event_type": "text-generation", "text": p} for p in pieces),
        {
            "is_finished": True,
            "event_type": "stream-end",
            "finish_reason": "COMPLETE",
            "response": {
                "text": full,
                "finish_reason": "COMPLETE",
                "meta": {"billed_units": {"input_tokens": INPUT_TOKENS, "output_tokens": len(pieces)}},
            },
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def titan(pieces: list[str]) -> list[dict[str, Any]]:
    body = pieces[:-1] if pieces else []
    last = pieces[-1] if pieces else ""
    return [
        *(
            {
                "outputText": p,
                "index": 0,
                "totalOutputTextTokenCount": None,
                "completionReason": None,
                "inputTextTokenCount": INPUT_TOKENS,
            }
            for p in body
        ),
        {
            "outputText": last,
            "index": 0,
            "totalOutputTextTokenCount": len(pieces),
            "completionReason": "FINISH",
            "inputTextTokenCount": None,
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def nova(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        {"messageStart": {"role": "assistant"}},
        *({"contentBlockDelta": {"delta": {"text": p}, "contentBlockIndex": 0}} for p in pieces),
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {
            "metadata": {"usage": {"inputTokens": INPUT_TOKENS, "outputTokens": len(pieces)}},
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def jamba(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "id": "chat-1",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
        },
        *({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces),
        {
            "id": "chat-1",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop", "stop_reason": "<|eom|>"}],
            "usage": {
                "prompt_tokens": INPUT_TOKENS,
                "total_tokens": INPUT_TOKENS + len(pieces),
                "completion_tokens": len(pieces),
            },
            "meta": {"requestDurationMillis": 146},
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


def deepseek(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        *({"choices": [{"text": p, "stop_reason": None}]} for p in pieces),
        {"choices": [{"text": "", "stop_reason": "stop"}], "amazon-bedrock-invocationMetrics": _metrics(pieces)},
    ]


def gpt_oss(pieces: list[str]) -> list[dict[str, Any]]:
    base = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1754000000,
        "model": "openai.gpt-oss-120b-1:0",
    }
    return [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]},
        *({**base, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces),
        {
            **base,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "amazon-bedrock-invocationMetrics": _metrics(pieces),
        },
    ]


@dataclass(frozen=True)
class FamilyCase:
    name: str
    model_id: str
    build: Callable[[list[str]], list[dict[str, Any]]]
    stop: str
    cache_read: int = 0
    cache_write: int = 0

    def usage(self, pieces: list[str]) -> Usage:
        return Usage(INPUT_TOKENS, len(pieces), self.cache_read, self.cache_write)

    @staticmethod
    def metrics() -> Metrics:
        return Metrics(METRICS["invocationLatency"], METRICS["firstByteLatency"])


CASES = [
    FamilyCase("anthropic-messages", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", anthropic, "end_turn", 3, 2),
    FamilyCase("claude-completion", "anthropic.claude-v2:1", claude_completion, "stop_sequence"),
    FamilyCase("llama", "us.meta.llama3-3-70b-instruct-v1:0", llama, "end_turn"),
    FamilyCase("mistral-text", "mistral.mistral-7b-instruct-v0:2", mistral_text, "max_tokens"),
    FamilyCase("mistral-chat", "mistral.mistral-large-2407-v1:0", mistral_chat, "end_turn"),
    FamilyCase("cohere-command", "cohere.command-text-v14", cohere_command, "end_turn"),
    FamilyCase("cohere-command-r", "cohere.command-r-plus-v1:0", cohere_command_r, "end_turn"),
    FamilyCase("titan", "amazon.titan-text-express-v1", titan, "end_turn"),
    FamilyCase("nova", "eu.amazon.nova-pro-v1:0", nova, "end_turn"),
    FamilyCase("jamba", "ai21.jamba-1-5-large-v1:0", jamba, "end_turn"),
    FamilyCase("deepseek", "us.deepseek.r1-v1:0", deepseek, "end_turn"),
    FamilyCase("gpt-oss", "openai.gpt-oss-120b-1:0", gpt_oss, "end_turn"),
]
