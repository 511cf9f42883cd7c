"""Which native stream format a model id speaks: model id (base id, inference profile, ARN) -> model family.

Follows docs/bedrock-formats.md, "Operations and model ids" (model id forms, inference-profile prefixes):

- ``provider.model...`` base ids resolve by provider (and, for ``amazon``, Titan versus Nova).
- A system inference profile is a short geo prefix plus a base id (``us.``, ``eu.``, ``apac.``, ``jp.``, ``au.``,
  ``us-gov.``, ``global.``). The prefix list is open, so any short lowercase prefix before a known provider is
  stripped too (``ca.anthropic...`` works the day AWS adds it).
- ``foundation-model/`` and ``inference-profile/`` ARNs carry the id after the slash and resolve the same way.
- Application inference profiles, provisioned throughput, custom/imported models, prompts, prompt routers and
  SageMaker endpoints are opaque ARNs: the family comes from an explicit hint (``family_hints`` of the source),
  or, failing that, from sniffing the first streamed chunk (:func:`sniff_family`).
- A readable id from a provider without a decoder raises :class:`UnsupportedModelError` (400) naming the model,
  before anything is sent to Bedrock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bedrock_stream.errors import RequestError

__all__ = [
    "ModelFamily",
    "ModelRef",
    "UnsupportedModelError",
    "parse_model_id",
    "resolve_family",
    "sniff_family",
]


class ModelFamily(StrEnum):
    """A native InvokeModelWithResponseStream chunk format."""

    ANTHROPIC = "anthropic"
    """Anthropic Messages events, and legacy Claude text-completion chunks (told apart per chunk)."""
    META = "meta"
    MISTRAL = "mistral"
    COHERE = "cohere"
    TITAN = "titan"
    NOVA = "nova"
    AI21 = "ai21"
    DEEPSEEK = "deepseek"
    OPENAI = "openai"
    """OpenAI ``chat.completion.chunk`` (gpt-oss, Qwen and other OpenAI-compatible models)."""


class UnsupportedModelError(RequestError):
    """The model's native stream format has no decoder here (or the model cannot stream at all)."""

    status_code = 400
    error_type = "unsupported_model"

    def __init__(self, message: str, *, model_id: str) -> None:
        super().__init__(message)
        self.model_id = model_id


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model id taken apart. ``base_id`` and ``provider`` are None for opaque ARNs."""

    model_id: str
    base_id: str | None
    provider: str | None


_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z-]+):[^:]*:[^:]*:(?P<kind>[a-z-]+)/(?P<rest>.+)$")
_READABLE_ARN_KINDS = frozenset({"foundation-model", "inference-profile"})
_GEO_PREFIX = re.compile(r"^[a-z]{2,8}(?:-[a-z]{2,8})?$")

_PROVIDERS: dict[str, ModelFamily | None] = {
    "anthropic": ModelFamily.ANTHROPIC,
    "meta": ModelFamily.META,
    "mistral": ModelFamily.MISTRAL,
    "cohere": ModelFamily.COHERE,
    "amazon": None,  # Titan or Nova: decided from the model name
    "ai21": ModelFamily.AI21,
    "deepseek": ModelFamily.DEEPSEEK,
    "openai": ModelFamily.OPENAI,
    "qwen": ModelFamily.OPENAI,
}


def parse_model_id(model_id: str) -> ModelRef:
    """Split ``model_id`` into base id and provider, stripping ARN wrappers and inference-profile prefixes."""
    candidate = model_id.strip()
    match = _ARN.match(candidate)
    if match is not None:
        if match["service"] != "bedrock" or match["kind"] not in _READABLE_ARN_KINDS:
            return ModelRef(model_id, None, None)
        candidate = match["rest"]
    head, _, tail = candidate.partition(".")
    if head not in _PROVIDERS and tail and "." in tail and _GEO_PREFIX.match(head):
        candidate = tail
        head, _, tail = candidate.partition(".")
    if not tail:
        return ModelRef(model_id, candidate, None)
    return ModelRef(model_id, candidate, head)


def resolve_family(model_id: str, hints: Mapping[str, ModelFamily] | None = None) -> ModelFamily | None:
    """The family of ``model_id``: a hint first, else from the id. None means opaque (sniff the stream).

    Raises :class:`UnsupportedModelError` for a readable id that no decoder handles.
    """
    if hints and model_id in hints:
        return hints[model_id]
    ref = parse_model_id(model_id)
    if ref.base_id is None:
        return None
    name = ref.base_id.split(".", 1)[-1]
    if ref.provider == "amazon":
        if name.startswith("titan-text") or name.startswith("titan-tg1"):
            return ModelFamily.TITAN
        if name.startswith("nova") and "sonic" not in name and "canvas" not in name and "reel" not in name:
            return ModelFamily.NOVA
    elif ref.provider == "ai21" and name.startswith("j2"):
        raise UnsupportedModelError(
            f"Model {model_id!r} (AI21 Jurassic-2) does not support response streaming on Bedrock; "
            "use an AI21 Jamba model",
            model_id=model_id,
        )
    elif ref.provider == "cohere" and (name.startswith("embed") or name.startswith("rerank")):
        pass
    elif ref.provider in _PROVIDERS and _PROVIDERS[ref.provider] is not None:
        return _PROVIDERS[ref.provider]
    provider = f" (provider {ref.provider!r})" if ref.provider else ""
    raise UnsupportedModelError(
        f"Model {model_id!r}{provider} has no native stream decoder for /model/{{id}}/invoke; "
        "call it through the chat routes (ConverseStream), or configure its family "
        f"({', '.join(f.value for f in ModelFamily)}) if it speaks one of the known formats",
        model_id=model_id,
    )


def sniff_family(event: Mapping[str, Any]) -> ModelFamily | None:
    """Guess the family from the first decoded chunk of an invoke stream (for opaque ARNs); None if unknown."""
    kind = event.get("type")
    if isinstance(kind, str) and (kind.startswith("message_") or kind.startswith("content_block_")):
        return ModelFamily.ANTHROPIC
    if "completion" in event:
        return ModelFamily.ANTHROPIC
    if "generation" in event:
        return ModelFamily.META
    if "outputs" in event:
        return ModelFamily.MISTRAL
    if "outputText" in event:
        return ModelFamily.TITAN
    if "event_type" in event or "is_finished" in event or "generations" in event:
        return ModelFamily.COHERE
    if any(key in event for key in ("messageStart", "contentBlockDelta", "contentBlockStart", "metadata")):
        return ModelFamily.NOVA
    if "choices" in event:
        return ModelFamily.OPENAI
    return None
