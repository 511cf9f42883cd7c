"""The model-family registry: one row per native InvokeModelWithResponseStream format, the only place that knows
which model ids speak it, how its first chunk looks, which decoder reads it and where its body keeps the token limit.

A new family is one decoder (in ``decoders.py`` or its own module), one :class:`ModelFamily` name and one
:data:`FAMILIES` row. The fake Bedrock (``emulator/fake_bedrock/families.py``) keeps its own table of the stub's wire
shapes, because the layering rules keep ``emulator`` and ``bedrock_stream`` from importing each other;
``tests/unit/test_family_registries_agree.py`` checks that both tables agree on ids, families and limit fields.

Sources per family (request fields and stream chunks), all under
https://docs.aws.amazon.com/bedrock/latest/userguide/: ``model-parameters-anthropic-claude-messages.html`` and
``model-parameters-anthropic-claude-text-completion.html``, ``model-parameters-meta.html``,
``model-parameters-mistral-text-completion.html`` and ``model-parameters-mistral-chat-completion.html``,
``model-parameters-cohere-command.html`` and ``model-parameters-cohere-command-r-plus.html``,
``model-parameters-titan-text.html``, ``model-parameters-jamba.html``, ``model-parameters-deepseek.html``,
``model-parameters-openai.html``; Amazon Nova: https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html.
Model id forms: https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html and
https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html:

- ``provider.model...`` base ids carry the provider first.
- A system inference profile is a short geo prefix plus a base id (``us.``, ``eu.``, ``apac.``, ``jp.``, ``au.``,
  ``us-gov.``, ``global.``). The prefix list is open, so any short lowercase prefix before a known provider is
  stripped too (``ca.anthropic...`` works the day AWS adds it).
- ``foundation-model/`` and ``inference-profile/`` ARNs carry the id after the slash and resolve the same way.
- Application inference profiles, provisioned throughput, custom/imported models, prompts, prompt routers and
  SageMaker endpoints are opaque ARNs: the family comes from an explicit hint (``family_hints`` of the source),
  or, failing that, from sniffing the first streamed chunk (:func:`sniff_family`).
- A readable id that no row matches raises :class:`UnsupportedModelError` (400) naming the model, before anything
  is sent to Bedrock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_stream.bedrock.decoders import (
    AnthropicDecoder,
    ChoicesDecoder,
    CohereDecoder,
    InvokeDecoder,
    LlamaDecoder,
    MistralDecoder,
    NovaDecoder,
    TitanDecoder,
)
from bedrock_stream.bedrock.families import ModelFamily, ModelRef, UnsupportedModelError

__all__ = [
    "FAMILIES",
    "FamilySpec",
    "decoder_for",
    "parse_model_id",
    "resolve_family",
    "sniff_family",
    "spec_for",
]

Sniffer = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class FamilySpec:
    """One native stream format.

    ``names`` is matched (``re.match``) against the model name after ``provider.`` (``claude-sonnet-4-5-...``).
    ``limit_fields`` are the dotted body paths of the output-token limit, the first one being where the
    deployment's default goes when the body has none; ``limit_required`` says the model itself requires the field
    (Bedrock refuses a body without it), so no default is inserted. ``sniff`` recognizes the first chunk of an
    opaque model's stream (rows are tried in table order); None: the format is read by an earlier row's decoder.
    """

    family: ModelFamily
    providers: frozenset[str]
    names: re.Pattern[str]
    decoder: Callable[[], InvokeDecoder]
    limit_fields: tuple[str, ...]
    limit_required: bool = False
    sniff: Sniffer | None = None


def _has(*keys: str) -> Sniffer:
    return lambda event: any(key in event for key in keys)


def _anthropic_event(event: Mapping[str, Any]) -> bool:
    kind = event.get("type")
    is_messages = isinstance(kind, str) and kind.startswith(("message_", "content_block_"))
    return is_messages or "completion" in event


FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec(
        family=ModelFamily.ANTHROPIC,
        providers=frozenset({"anthropic"}),
        names=re.compile("claude"),
        decoder=AnthropicDecoder,
        limit_fields=("max_tokens", "max_tokens_to_sample"),  # Messages, Text Completions; both required
        limit_required=True,
        sniff=_anthropic_event,
    ),
    FamilySpec(
        family=ModelFamily.META,
        providers=frozenset({"meta"}),
        names=re.compile("llama"),
        decoder=LlamaDecoder,
        limit_fields=("max_gen_len",),
        sniff=_has("generation"),
    ),
    FamilySpec(
        family=ModelFamily.MISTRAL,
        providers=frozenset({"mistral"}),
        names=re.compile(""),
        decoder=MistralDecoder,
        limit_fields=("max_tokens",),
        sniff=_has("outputs"),
    ),
    FamilySpec(
        family=ModelFamily.TITAN,
        providers=frozenset({"amazon"}),
        names=re.compile("titan-(?:text|tg1)"),
        decoder=TitanDecoder,
        limit_fields=("textGenerationConfig.maxTokenCount",),
        sniff=_has("outputText"),
    ),
    FamilySpec(
        family=ModelFamily.COHERE,
        providers=frozenset({"cohere"}),
        names=re.compile("command"),
        decoder=CohereDecoder,
        limit_fields=("max_tokens",),
        sniff=_has("event_type", "is_finished", "generations"),
    ),
    FamilySpec(
        family=ModelFamily.NOVA,
        providers=frozenset({"amazon"}),
        names=re.compile("nova(?!.*(?:sonic|canvas|reel|embed))"),
        decoder=NovaDecoder,
        limit_fields=("inferenceConfig.maxTokens",),
        sniff=_has("messageStart", "contentBlockDelta", "contentBlockStart", "metadata"),
    ),
    FamilySpec(
        family=ModelFamily.AI21,
        providers=frozenset({"ai21"}),
        names=re.compile("jamba"),
        decoder=lambda: ChoicesDecoder(ModelFamily.AI21),
        limit_fields=("max_tokens",),
    ),
    FamilySpec(
        family=ModelFamily.DEEPSEEK,
        providers=frozenset({"deepseek"}),
        names=re.compile(""),
        decoder=lambda: ChoicesDecoder(ModelFamily.DEEPSEEK),
        limit_fields=("max_tokens",),
    ),
    FamilySpec(
        family=ModelFamily.OPENAI,
        providers=frozenset({"openai", "qwen"}),
        names=re.compile(""),
        decoder=ChoicesDecoder,
        limit_fields=("max_completion_tokens", "max_tokens"),
        sniff=_has("choices"),
    ),
)
"""Every family, in sniffing order."""

_NO_STREAM_DECODER: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("ai21", re.compile("j2"), "AI21 Jurassic-2 cannot stream responses on Bedrock; use an AI21 Jamba model"),
)
"""(provider, model-name pattern, reason) of readable ids refused with a specific explanation."""

_BY_FAMILY = {spec.family: spec for spec in FAMILIES}
_PROVIDERS = frozenset(provider for spec in FAMILIES for provider in spec.providers)

_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z-]+):[^:]*:[^:]*:(?P<kind>[a-z-]+)/(?P<rest>.+)$")
_READABLE_ARN_KINDS = frozenset({"foundation-model", "inference-profile"})
_GEO_PREFIX = re.compile(r"^[a-z]{2,8}(?:-[a-z]{2,8})?$")


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


def spec_for(family: ModelFamily) -> FamilySpec:
    """The registry row of ``family``."""
    return _BY_FAMILY[family]


def resolve_family(model_id: str, hints: Mapping[str, ModelFamily] | None = None) -> ModelFamily | None:
    """The family of ``model_id``: a hint first, else from the id. None means opaque (sniff the stream).

    Raises :class:`UnsupportedModelError` for a readable id that no row matches.
    """
    if hints and model_id in hints:
        return hints[model_id]
    ref = parse_model_id(model_id)
    if ref.base_id is None:
        return None
    name = ref.base_id.split(".", 1)[-1]
    for spec in FAMILIES:
        if ref.provider in spec.providers and spec.names.match(name):
            return spec.family
    for provider, pattern, reason in _NO_STREAM_DECODER:
        if ref.provider == provider and pattern.match(name):
            raise UnsupportedModelError(f"Model {model_id!r}: {reason}", model_id=model_id)
    provider_note = f" (provider {ref.provider!r})" if ref.provider else ""
    raise UnsupportedModelError(
        f"Model {model_id!r}{provider_note} has no native stream decoder for /model/{{id}}/invoke; "
        "call it through the chat routes (ConverseStream), or configure its family "
        f"({', '.join(f.value for f in ModelFamily)}) if it speaks one of the known formats",
        model_id=model_id,
    )


def sniff_family(event: Mapping[str, Any]) -> ModelFamily | None:
    """Guess the family from the first decoded chunk of an invoke stream (for opaque ARNs); None if unknown."""
    for spec in FAMILIES:
        if spec.sniff is not None and spec.sniff(event):
            return spec.family
    return None


def decoder_for(family: ModelFamily) -> InvokeDecoder:
    """A fresh decoder for one stream of ``family``."""
    return _BY_FAMILY[family].decoder()
