"""Model families for InvokeModelWithResponseStream: which family a model id belongs to, where each native request
body keeps the prompt and limits, and the native stream events (model JSON, own key order) the stub emits.

Shapes follow docs/bedrock-formats.md, "Model families" (Anthropic Messages confirmed by recorded traffic, the other
families from the model-parameter pages under https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html)
and "Operations and model ids" for model ids.
"""

from __future__ import annotations

import enum
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.fake_bedrock.stub import StubAnswer

__all__ = ["BodyError", "Family", "InvokeRequest", "family_for", "invoke_events", "parse_invoke", "prompt_of"]

ModelEvent = dict[str, Any]
# (model event, carries a token) pairs; the final event is built lazily so latency metrics are real.
EventIter = Iterator[tuple[ModelEvent, bool]]
MetricsFn = Callable[[StubAnswer], dict[str, int]]


class Family(enum.Enum):
    """Native streaming shape of a model family (docs/bedrock-formats.md, "Model families")."""

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


class BodyError(ValueError):
    """The native request body cannot be used (answered as a 400 ValidationException)."""


_PROVIDERS = ("anthropic", "meta", "mistral", "cohere", "amazon", "ai21", "deepseek", "openai", "qwen")
_VERSION_SUFFIX = re.compile(r"(-v\d+)?(:\d+)?$")
_MISTRAL_LARGE = re.compile(r"^mistral-large-(\d+)")


def _split_model_id(model_id: str) -> tuple[str, str] | None:
    """``(provider, model name)`` from a base id, an inference-profile id or an ARN; None if not recognized."""
    tail = model_id.rsplit("/", 1)[-1]
    parts = tail.split(".")
    for index, part in enumerate(parts[:-1]):
        if part in _PROVIDERS:
            return part, ".".join(parts[index + 1 :])
    return None


def _mistral_is_chat(name: str) -> bool:
    if name.startswith(("magistral", "ministral", "pixtral")):
        return True
    match = _MISTRAL_LARGE.match(name)
    if not match:
        return False
    number = match.group(1)
    return len(number) < 4 or int(number) >= 2407  # mistral-large-3-... (short) or dated 2407 and later


def family_for(model_id: str, body: Mapping[str, Any]) -> Family | None:
    """The family of ``model_id`` (Anthropic picks Messages vs Text Completions by the body); None if unknown."""
    split = _split_model_id(model_id)
    if split is None:
        return None
    provider, name = split
    if provider == "anthropic":
        return Family.ANTHROPIC_MESSAGES if "messages" in body or "prompt" not in body else Family.CLAUDE_COMPLETION
    if provider == "meta" and name.startswith("llama"):
        return Family.LLAMA
    if provider == "mistral":
        return Family.MISTRAL_CHAT if _mistral_is_chat(name) else Family.MISTRAL_TEXT
    if provider == "cohere" and name.startswith("command-r"):
        return Family.COHERE_COMMAND_R
    if provider == "cohere" and name.startswith(("command-text", "command-light-text")):
        return Family.COHERE_COMMAND
    if provider == "amazon" and name.startswith("titan-text"):
        return Family.TITAN
    if provider == "amazon" and name.startswith("nova") and not name.startswith(("nova-canvas", "nova-reel", "nova-s")):
        return Family.NOVA
    if provider == "ai21" and name.startswith("jamba"):
        return Family.JAMBA
    if provider == "deepseek":
        return Family.DEEPSEEK
    if provider in ("openai", "qwen"):
        return Family.OPENAI_CHAT
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


def prompt_of(family: Family, body: Mapping[str, Any]) -> str:
    """The stub prompt of a native body: the last user message's text, or the last user turn of a prompt string."""
    if family in (Family.ANTHROPIC_MESSAGES, Family.MISTRAL_CHAT, Family.NOVA, Family.JAMBA, Family.OPENAI_CHAT):
        return last_user_text(body.get("messages"))
    if family is Family.COHERE_COMMAND_R:
        return _str_field(body, "message")
    if family is Family.TITAN:
        return prompt_from_template(_str_field(body, "inputText"))
    return prompt_from_template(_str_field(body, "prompt"))


_LIMIT_KEYS: dict[Family, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # family: (max-token path, stop-sequence path)
    Family.ANTHROPIC_MESSAGES: (("max_tokens",), ("stop_sequences",)),
    Family.CLAUDE_COMPLETION: (("max_tokens_to_sample",), ("stop_sequences",)),
    Family.LLAMA: (("max_gen_len",), ()),
    Family.MISTRAL_TEXT: (("max_tokens",), ("stop",)),
    Family.MISTRAL_CHAT: (("max_tokens",), ("stop",)),
    Family.COHERE_COMMAND: (("max_tokens",), ("stop_sequences",)),
    Family.COHERE_COMMAND_R: (("max_tokens",), ("stop_sequences",)),
    Family.TITAN: (("textGenerationConfig", "maxTokenCount"), ("textGenerationConfig", "stopSequences")),
    Family.NOVA: (("inferenceConfig", "maxTokens"), ("inferenceConfig", "stopSequences")),
    Family.JAMBA: (("max_tokens",), ("stop",)),
    Family.DEEPSEEK: (("max_tokens",), ("stop",)),
    Family.OPENAI_CHAT: (("max_completion_tokens",), ("stop",)),
}


def _lookup(body: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value if path else None


def limits(family: Family, body: Mapping[str, Any]) -> tuple[int | None, tuple[str, ...]]:
    """``(max tokens or None, stop sequences)`` read from the family's native fields (ill-typed values ignored)."""
    max_path, stop_path = _LIMIT_KEYS[family]
    max_tokens = _lookup(body, max_path)
    if max_tokens is None and family is Family.OPENAI_CHAT:
        max_tokens = body.get("max_tokens")
    stops = _lookup(body, stop_path)
    if isinstance(stops, str):
        stops = [stops]
    valid_max = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else None
    valid_stops = tuple(s for s in stops if isinstance(s, str)) if isinstance(stops, list) else ()
    return valid_max, valid_stops


@dataclass(frozen=True)
class InvokeRequest:
    """A parsed native invoke body."""

    family: Family
    prompt: str
    max_tokens: int | None
    stop_sequences: tuple[str, ...]


def parse_invoke(model_id: str, body: Mapping[str, Any]) -> InvokeRequest | None:
    """Family, prompt and limits of a native body; None for an unknown family. Raises :class:`BodyError`."""
    family = family_for(model_id, body)
    if family is None:
        return None
    max_tokens, stops = limits(family, body)
    return InvokeRequest(family, prompt_of(family, body), max_tokens, stops)


# --- native stream events ---------------------------------------------------------------------------------------


def _generic_stop(answer: StubAnswer) -> str:
    return "length" if answer.stop == "max_tokens" else "stop"


def _anthropic(model_id: str, answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    usage = {
        "input_tokens": answer.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
    }
    message: dict[str, Any] = {
        "model": bare_model_name(model_id),
        "id": f"msg_bdrk_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    yield {"type": "message_start", "message": message}, False
    yield {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, False
    for delta in answer.deltas:
        yield {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": delta}}, True
    yield {"type": "content_block_stop", "index": 0}, False
    stop = {"stop_reason": answer.stop, "stop_sequence": answer.stop_sequence}
    yield {"type": "message_delta", "delta": stop, "usage": {"output_tokens": answer.output_tokens}}, False
    yield {"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics(answer)}, False


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


def invoke_events(model_id: str, request: InvokeRequest, answer: StubAnswer, metrics: MetricsFn) -> EventIter:
    """The native model events for ``answer`` in ``request.family``'s shape, with ``(event, is_token)`` pairs."""
    family = request.family
    if family is Family.ANTHROPIC_MESSAGES:
        return _anthropic(model_id, answer, metrics)
    if family is Family.CLAUDE_COMPLETION:
        return _claude_completion(answer, metrics)
    if family is Family.LLAMA:
        return _llama(answer, metrics)
    if family is Family.MISTRAL_TEXT:
        return _mistral_text(answer, metrics)
    if family is Family.MISTRAL_CHAT:
        return _mistral_chat(answer, metrics)
    if family is Family.COHERE_COMMAND:
        return _cohere_command(request.prompt, answer, metrics)
    if family is Family.COHERE_COMMAND_R:
        return _cohere_command_r(request.prompt, answer, metrics)
    if family is Family.TITAN:
        return _titan(answer, metrics)
    if family is Family.NOVA:
        return _nova(answer, metrics)
    if family is Family.JAMBA:
        return _jamba(answer, metrics)
    if family is Family.DEEPSEEK:
        return _deepseek(answer, metrics)
    return _openai_chat(model_id, answer, metrics)
