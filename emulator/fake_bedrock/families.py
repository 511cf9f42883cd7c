"""The stub's native InvokeModelWithResponseStream shapes: one :data:`SHAPES` row per wire shape, holding which
model ids speak it, where its request body keeps the prompt, the token limit and the stop sequences, and the builder
of its stream events (model JSON, own key order).

Each row names the function's decoder family (``decoder_family``, a ``bedrock_stream`` ``ModelFamily`` value) that
reads the shape. The layering rules keep ``emulator`` from importing ``bedrock_stream``, so the function's registry
(``functions/bedrock_stream/bedrock/registry.py``) and this table are two tables;
``tests/unit/test_family_registries_agree.py`` checks that they agree on model ids, families and token-limit fields,
and that every shape decodes to the stub text. A new shape is one builder and one row here (the Anthropic Messages
builder, which also plays tools and thinking, lives in ``anthropic_invoke.py``).

Shapes follow the Bedrock model-parameters pages (one page per provider under
https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html) and, for Nova,
https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html.
"""

from __future__ import annotations

import enum
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.fake_bedrock.anthropic_invoke import anthropic_events
from emulator.fake_bedrock.errors import BodyError
from emulator.fake_bedrock.stub import StubAnswer

__all__ = [
    "SHAPES",
    "BodyError",
    "Family",
    "InvokeRequest",
    "Shape",
    "family_for",
    "invoke_events",
    "parse_invoke",
    "prompt_of",
]

ModelEvent = dict[str, Any]
# (model event, carries a token) pairs; the final event is built lazily so latency metrics are real.
EventIter = Iterator[tuple[ModelEvent, bool]]
MetricsFn = Callable[[StubAnswer], dict[str, int]]
Builder = Callable[[str, "InvokeRequest", StubAnswer, MetricsFn], EventIter]


class Family(enum.Enum):
    """Native streaming shape of a model family."""

    ANTHROPIC_MESSAGES = "anthropic-messages"
    CLAUDE_COMPLETION = "claude-completion"
    LLAMA = "llama"
    MISTRAL_TEXT = "mistral-text"
    MISTRAL_CHAT = "mistral-chat"
    COHERE_COMMAND = "cohere-command"
    COHERE_COMMAND_R = "cohere-command-r"
    TITAN = "titan"
    NOVA = "nova"
    JAMBA = "jamba"
    DEEPSEEK = "deepseek"
    OPENAI_CHAT = "openai-chat"


_VERSION_SUFFIX = re.compile(r"(-v\d+)?(:\d+)?$")


def _split_model_id(model_id: str) -> tuple[str, str] | None:
    """``(provider, model name)`` from a base id, an inference-profile id or an ARN; None if not recognized."""
    tail = model_id.rsplit("/", 1)[-1]
    parts = tail.split(".")
    for index, part in enumerate(parts[:-1]):
        if part in _PROVIDERS:
            return part, ".".join(parts[index + 1 :])
    return None


def bare_model_name(model_id: str) -> str:
    """``anthropic.claude-sonnet-4-5-20250929-v1:0`` -> ``claude-sonnet-4-5-20250929`` (Anthropic ``message.model``)."""
    split = _split_model_id(model_id)
    name = split[1] if split else model_id.rsplit("/", 1)[-1]
    return _VERSION_SUFFIX.sub("", name)


# --- prompt and limits from native bodies -----------------------------------------------------------------------


def last_user_text(messages: Any) -> str:
    """Text of the last ``user`` message; string content as is, text blocks (any dialect) joined with ``"\\n"``."""
    if not isinstance(messages, list):
        raise BodyError("messages must be a list")
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "\n".join(
                    block["text"]
                    for block in content
                    if isinstance(block, Mapping) and isinstance(block.get("text"), str)
                )
            raise BodyError("user message content must be a string or a list of blocks")
    raise BodyError("messages has no user message")


_TEMPLATES = (
    re.compile(r"<\|start_header_id\|>user<\|end_header_id\|>(.*?)(?:<\|eot_id\|>|$)", re.S),  # Llama 3
    re.compile(r"\[INST\](.*?)(?:\[/INST\]|$)", re.S),  # Llama 2, Mistral
    re.compile("<\uff5cUser\uff5c>(.*?)(?:<\uff5cAssistant\uff5c>|$)", re.S),  # DeepSeek R1 (full-width bars)
    re.compile(r"Human:(.*?)(?:\n\nAssistant:|$)", re.S),  # Claude Text Completions
    re.compile(r"^User:(.*?)(?:\nBot:|$)", re.S | re.M),  # Titan chat convention
)


def prompt_from_template(prompt: str) -> str:
    """The last user turn of a chat-templated prompt string (Llama 3, [INST], DeepSeek, Human:, User:), stripped;
    the whole prompt stripped when no template is recognized. ``<s>`` and system blocks are dropped."""
    for pattern in _TEMPLATES:
        found = pattern.findall(prompt)
        if found:
            return str(found[-1]).strip()
    return prompt.replace("<s>", "").strip()


def _str_field(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise BodyError(f"{key} must be a string")
    return value


def _messages_prompt(body: Mapping[str, Any]) -> str:
    return last_user_text(body.get("messages"))


def _field_prompt(key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda body: prompt_from_template(_str_field(body, key))


def _lookup(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def limits(family: Family, body: Mapping[str, Any]) -> tuple[int | None, tuple[str, ...]]:
    """``(max tokens or None, stop sequences)`` read from the family's native fields (ill-typed values ignored)."""
    shape = SHAPES[family]
    max_tokens = next((v for v in (_lookup(body, path) for path in shape.limit_fields) if v is not None), None)
    stops = _lookup(body, shape.stop_field) if shape.stop_field else None
    if isinstance(stops, str):
        stops = [stops]
    valid_max = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else None
    valid_stops = tuple(s for s in stops if isinstance(s, str)) if isinstance(stops, list) else ()
    return valid_max, valid_stops


def prompt_of(family: Family, body: Mapping[str, Any]) -> str:
    """The stub prompt of a native body: the last user message's text, or the last user turn of a prompt string."""
    return SHAPES[family].prompt(body)


@dataclass(frozen=True)
class InvokeRequest:
    """A parsed native invoke body."""

    family: Family
    prompt: str
    max_tokens: int | None
    stop_sequences: tuple[str, ...]
    body: Mapping[str, Any] = field(default_factory=dict)
    """The whole native body (the Anthropic Messages shape reads its tools and thinking)."""


def parse_invoke(model_id: str, body: Mapping[str, Any]) -> InvokeRequest | None:
    """Family, prompt and limits of a native body; None for an unknown family. Raises :class:`BodyError`."""
    family = family_for(model_id, body)
    if family is None:
        return None
    max_tokens, stops = limits(family, body)
    return InvokeRequest(family, prompt_of(family, body), max_tokens, stops, body)


# --- native stream events ---------------------------------------------------------------------------------------


def _generic_stop(answer: StubAnswer) -> str:
    return "length" if answer.stop == "max_tokens" else "stop"


def _claude_completion(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    for delta in answer.deltas:
        yield {"completion": delta, "stop_reason": None, "stop": None}, True
    if answer.stop == "max_tokens":
        reason, stop = "max_tokens", None
    else:
        reason, stop = "stop_sequence", answer.stop_sequence or "\n\nHuman:"
    yield (
        {"completion": "", "stop_reason": reason, "stop": stop, "amazon-bedrock-invocationMetrics": metrics(answer)},
        False,
    )


def _llama(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    for count, delta in enumerate(answer.deltas, start=1):
        prompt_tokens = answer.input_tokens if count == 1 else None
        event = {
            "generation": delta,
            "prompt_token_count": prompt_tokens,
            "generation_token_count": count,
            "stop_reason": None,
        }
        yield event, True
    last = {
        "generation": "",
        "prompt_token_count": None if answer.deltas else answer.input_tokens,
        "generation_token_count": answer.output_tokens,
        "stop_reason": _generic_stop(answer),
        "amazon-bedrock-invocationMetrics": metrics(answer),
    }
    yield last, False


def _mistral_text(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    for delta in answer.deltas:
        yield {"outputs": [{"text": delta, "stop_reason": None}]}, True
    last = {"outputs": [{"text": "", "stop_reason": _generic_stop(answer)}]}
    yield {**last, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


def _mistral_chat(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    def choice(content: str, stop: str | None) -> dict[str, Any]:
        return {"index": 0, "message": {"role": "assistant", "content": content}, "stop_reason": stop}

    for delta in answer.deltas:
        yield {"choices": [choice(delta, None)]}, True
    last = {"choices": [choice("", _generic_stop(answer))]}
    yield {**last, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


def _cohere_reason(answer: StubAnswer) -> str:
    return "MAX_TOKENS" if answer.stop == "max_tokens" else "COMPLETE"


def _cohere_command(prompt: str, answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    for delta in answer.deltas:
        yield {"text": delta, "is_finished": False}, True
    reason = _cohere_reason(answer)
    generation = {"id": str(uuid.uuid4()), "text": answer.text, "finish_reason": reason}
    response = {"id": str(uuid.uuid4()), "generations": [generation], "prompt": prompt}
    last = {"is_finished": True, "finish_reason": reason, "response": response}
    yield {**last, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


def _cohere_command_r(prompt: str, answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    generation_id = str(uuid.uuid4())
    yield {"is_finished": False, "event_type": "stream-start", "generation_id": generation_id}, False
    for delta in answer.deltas:
        yield {"is_finished": False, "event_type": "text-generation", "text": delta}, True
    reason = _cohere_reason(answer)
    response = {
        "response_id": str(uuid.uuid4()),
        "text": answer.text,
        "generation_id": generation_id,
        "chat_history": [{"role": "USER", "message": prompt}, {"role": "CHATBOT", "message": answer.text}],
        "finish_reason": reason,
        "meta": {"billed_units": {"input_tokens": answer.input_tokens, "output_tokens": answer.output_tokens}},
    }
    last = {"is_finished": True, "event_type": "stream-end", "finish_reason": reason, "response": response}
    yield {**last, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


def _titan(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    """Titan puts ``completionReason`` and the totals on the last text chunk."""
    reason = {"max_tokens": "LENGTH", "stop_sequence": "STOP_CRITERIA_MET"}.get(answer.stop, "FINISH")
    deltas = answer.deltas or ("",)
    for index, delta in enumerate(deltas):
        final = index == len(deltas) - 1
        event: ModelEvent = {
            "outputText": delta,
            "index": 0,
            "totalOutputTextTokenCount": answer.output_tokens if final else None,
            "completionReason": reason if final else None,
            "inputTextTokenCount": answer.input_tokens if index == 0 else None,
        }
        if final:
            event["amazon-bedrock-invocationMetrics"] = metrics(answer)
        yield event, bool(delta)


def _nova(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    yield {"messageStart": {"role": "assistant"}}, False
    for delta in answer.deltas:
        yield {"contentBlockDelta": {"delta": {"text": delta}, "contentBlockIndex": 0}}, True
    yield {"contentBlockStop": {"contentBlockIndex": 0}}, False
    yield {"messageStop": {"stopReason": answer.stop}}, False
    usage = {"inputTokens": answer.input_tokens, "outputTokens": answer.output_tokens}
    yield {"metadata": {"usage": usage}, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


def _jamba(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    """Jamba's last chunk carries the last content piece, ``finish_reason``, ``usage`` and ``meta``."""
    chat_id = f"chat-{uuid.uuid4().hex}"
    yield (
        {
            "id": chat_id,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
        },
        False,
    )
    deltas = answer.deltas or ("",)
    for index, delta in enumerate(deltas):
        final = index == len(deltas) - 1
        choice = {"index": 0, "delta": {"content": delta}, "finish_reason": _generic_stop(answer) if final else None}
        event: ModelEvent = {"id": chat_id, "choices": [choice]}
        if final:
            event["usage"] = {
                "prompt_tokens": answer.input_tokens,
                "total_tokens": answer.input_tokens + answer.output_tokens,
                "completion_tokens": answer.output_tokens,
            }
            timing = metrics(answer)
            event["meta"] = {"requestDurationMillis": timing["invocationLatency"]}
            event["amazon-bedrock-invocationMetrics"] = timing
        yield event, bool(delta)


def _deepseek(answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    for delta in answer.deltas:
        yield {"choices": [{"text": delta, "stop_reason": None}]}, True
    last = {"choices": [{"text": "", "stop_reason": _generic_stop(answer)}]}
    yield {**last, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


def _openai_chat(model_id: str, answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model_id,
    }
    for index, delta in enumerate(answer.deltas):
        content = {"role": "assistant", "content": delta} if index == 0 else {"content": delta}
        yield {**head, "choices": [{"index": 0, "delta": content, "finish_reason": None}]}, True
    last = {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": _generic_stop(answer)}]}
    yield {**last, "amazon-bedrock-invocationMetrics": metrics(answer)}, False


@dataclass(frozen=True)
class Shape:
    """One native stream shape of the stub.

    ``names`` is matched (``re.match``) against the model name after ``provider.``; ``body`` (if set) must also
    accept the request body (Anthropic Messages versus Text Completions). ``limit_fields`` are the dotted paths of
    the output-token limit, read in order; ``stop_field`` the dotted path of the stop sequences.
    """

    decoder_family: str
    providers: frozenset[str]
    names: re.Pattern[str]
    prompt: Callable[[Mapping[str, Any]], str]
    limit_fields: tuple[str, ...]
    stop_field: str | None
    events: Builder
    body: Callable[[Mapping[str, Any]], bool] | None = None


_MISTRAL_CHAT_NAMES = re.compile(
    r"(?:magistral|ministral|pixtral)|mistral-large-(?:\d{1,3}(?!\d)|240[7-9]|24[1-9]\d|2[5-9]\d\d|[3-9]\d{3})"
)
"""Mistral models with the chat-completion shape: Magistral, Ministral, Pixtral, Mistral Large 3 and 24.07+."""

SHAPES: dict[Family, Shape] = {
    Family.ANTHROPIC_MESSAGES: Shape(
        "anthropic",
        frozenset({"anthropic"}),
        re.compile("claude"),
        _messages_prompt,
        ("max_tokens",),
        "stop_sequences",
        lambda model_id, request, answer, metrics: anthropic_events(
            bare_model_name(model_id), request.prompt, request.body, answer, metrics
        ),
        body=lambda body: "messages" in body or "prompt" not in body,
    ),
    Family.CLAUDE_COMPLETION: Shape(
        "anthropic",
        frozenset({"anthropic"}),
        re.compile("claude"),
        _field_prompt("prompt"),
        ("max_tokens_to_sample",),
        "stop_sequences",
        lambda model_id, request, answer, metrics: _claude_completion(answer, metrics),
    ),
    Family.LLAMA: Shape(
        "meta",
        frozenset({"meta"}),
        re.compile("llama"),
        _field_prompt("prompt"),
        ("max_gen_len",),
        None,
        lambda model_id, request, answer, metrics: _llama(answer, metrics),
    ),
    Family.MISTRAL_CHAT: Shape(
        "mistral",
        frozenset({"mistral"}),
        _MISTRAL_CHAT_NAMES,
        _messages_prompt,
        ("max_tokens",),
        "stop",
        lambda model_id, request, answer, metrics: _mistral_chat(answer, metrics),
    ),
    Family.MISTRAL_TEXT: Shape(
        "mistral",
        frozenset({"mistral"}),
        re.compile(""),
        _field_prompt("prompt"),
        ("max_tokens",),
        "stop",
        lambda model_id, request, answer, metrics: _mistral_text(answer, metrics),
    ),
    Family.COHERE_COMMAND_R: Shape(
        "cohere",
        frozenset({"cohere"}),
        re.compile("command-r"),
        lambda body: _str_field(body, "message"),
        ("max_tokens",),
        "stop_sequences",
        lambda model_id, request, answer, metrics: _cohere_command_r(request.prompt, answer, metrics),
    ),
    Family.COHERE_COMMAND: Shape(
        "cohere",
        frozenset({"cohere"}),
        re.compile("command-(?:light-)?text"),
        _field_prompt("prompt"),
        ("max_tokens",),
        "stop_sequences",
        lambda model_id, request, answer, metrics: _cohere_command(request.prompt, answer, metrics),
    ),
    Family.TITAN: Shape(
        "titan",
        frozenset({"amazon"}),
        re.compile("titan-(?:text|tg1)"),
        _field_prompt("inputText"),
        ("textGenerationConfig.maxTokenCount",),
        "textGenerationConfig.stopSequences",
        lambda model_id, request, answer, metrics: _titan(answer, metrics),
    ),
    Family.NOVA: Shape(
        "nova",
        frozenset({"amazon"}),
        re.compile("nova(?!.*(?:sonic|canvas|reel|embed))"),
        _messages_prompt,
        ("inferenceConfig.maxTokens",),
        "inferenceConfig.stopSequences",
        lambda model_id, request, answer, metrics: _nova(answer, metrics),
    ),
    Family.JAMBA: Shape(
        "ai21",
        frozenset({"ai21"}),
        re.compile("jamba"),
        _messages_prompt,
        ("max_tokens",),
        "stop",
        lambda model_id, request, answer, metrics: _jamba(answer, metrics),
    ),
    Family.DEEPSEEK: Shape(
        "deepseek",
        frozenset({"deepseek"}),
        re.compile(""),
        _field_prompt("prompt"),
        ("max_tokens",),
        "stop",
        lambda model_id, request, answer, metrics: _deepseek(answer, metrics),
    ),
    Family.OPENAI_CHAT: Shape(
        "openai",
        frozenset({"openai", "qwen"}),
        re.compile(""),
        _messages_prompt,
        ("max_completion_tokens", "max_tokens"),
        "stop",
        lambda model_id, request, answer, metrics: _openai_chat(model_id, answer, metrics),
    ),
}
"""Every shape, in matching order (the first row whose provider, name and body match wins)."""

_PROVIDERS = frozenset(provider for shape in SHAPES.values() for provider in shape.providers)


def family_for(model_id: str, body: Mapping[str, Any]) -> Family | None:
    """The shape of ``model_id`` (Anthropic picks Messages vs Text Completions by the body); None if unknown."""
    split = _split_model_id(model_id)
    if split is None:
        return None
    provider, name = split
    for family, shape in SHAPES.items():
        if provider in shape.providers and shape.names.match(name) and (shape.body is None or shape.body(body)):
            return family
    return None


def invoke_events(model_id: str, request: InvokeRequest, answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    """The native model events for ``answer`` in ``request.family``'s shape, with ``(event, is_token)`` pairs."""
    return SHAPES[request.family].events(model_id, request, answer, metrics)
