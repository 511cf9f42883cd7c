"""A request's reasoning ask -> each model family's reasoning request, for ``additionalModelRequestFields``.

Every request parser owns only its own field names: it reads them into a :class:`ReasoningAsk` (an effort word,
a token budget, or Anthropic's own ``thinking`` object, with the field paths to name in 400s) and this module
owns the per-family shapes. One row per family that can reason on Bedrock:

- Anthropic Claude 3.7 and 4.x: ``thinking: {"type": "enabled", "budget_tokens": n}``
  (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html); an explicit
  budget must stay below the output limit, and Anthropic's ``thinking`` object (``adaptive``, ``display``) is
  sent as is;
- Amazon Nova 2: ``reasoningConfig: {"type": "enabled", "maxReasoningEffort": "low" | "medium" | "high"}``
  (https://docs.aws.amazon.com/nova/latest/nova2-userguide/using-converse-api.html, "Using reasoning");
- OpenAI gpt-oss: ``reasoning_effort: "low" | "medium" | "high"``
  (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html).

Effort words: ``minimal`` reads as ``low`` and ``xhigh``/``max`` as ``high`` (Bedrock's ceilings); ``none`` asks
for no reasoning. The one budget rule for an effort on Claude: a fixed budget per level, ``low`` 1024 (Claude's
minimum), ``medium`` 4096, ``high`` 16384, lowered to one below the output limit when that is smaller; an output
limit that leaves less than the 1024 minimum is a 400. Fixed budgets keep an effort meaning the same work
whatever the output limit. The Nova 2 and gpt-oss rows need an effort; any other model cannot reason through
Converse, so asking it to is a 400, except that an explicit budget or ``thinking`` object goes to any Anthropic
model as asked (the caller chose Claude's own shape; Bedrock judges whether that Claude thinks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_stream.bedrock.registry import parse_model_id
from bedrock_stream.errors import InvalidRequestError

__all__ = ["REASONING_FAMILIES", "ReasoningAsk", "ReasoningFamily", "reasoning_fields"]

_LEVEL = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "high", "max": "high"}
_CLAUDE_BUDGET = {"low": 1024, "medium": 4096, "high": 16384}
_CLAUDE_MIN_BUDGET = 1024


@dataclass(frozen=True, slots=True)
class ReasoningAsk:
    """What a request asks for, read from its own fields; the ``*_field`` paths name them in 400s."""

    field: str
    """The request's reasoning field as a whole (``reasoning_effort``, ``reasoning``, ``thinking``)."""
    effort: str | None = None
    """An effort word (``none`` / ``minimal`` / ``low`` / ``medium`` / ``high`` / ``xhigh`` / ``max``)."""
    effort_field: str | None = None
    """Where the effort is sent; None when the surface has no effort field."""
    budget_tokens: int | None = None
    budget_field: str | None = None
    thinking: Mapping[str, Any] | None = None
    """Anthropic's own ``thinking`` object, sent to Claude as is (budget checked)."""
    limit_field: str = "max_tokens"
    """The request's output limit field, named when the budget does not fit below it."""

    @property
    def wants_reasoning(self) -> bool:
        """False when nothing (or only ``none``) was asked."""
        asked_effort = self.effort is not None and self.effort != "none"
        return asked_effort or self.budget_tokens is not None or self.thinking is not None


def _claude(ask: ReasoningAsk, model: str, max_tokens: int) -> dict[str, Any]:
    thinking = dict(ask.thinking) if ask.thinking is not None else {"type": "enabled"}
    if thinking["type"] != "enabled":
        return {"thinking": thinking}
    if ask.budget_tokens is not None:
        if ask.budget_tokens >= max_tokens:
            raise InvalidRequestError(
                f"{ask.budget_field} ({ask.budget_tokens}) must be less than {ask.limit_field} ({max_tokens})",
                field=ask.budget_field,
            )
        budget = ask.budget_tokens
    elif ask.effort is not None and ask.effort != "none":
        budget = min(_CLAUDE_BUDGET[_LEVEL[ask.effort]], max_tokens - 1)
        if budget < _CLAUDE_MIN_BUDGET:
            raise InvalidRequestError(
                f"{ask.effort_field} needs {ask.limit_field} above {_CLAUDE_MIN_BUDGET} for this model (Claude's "
                f"minimum thinking budget); got {max_tokens}",
                field=ask.effort_field,
            )
    else:
        field = ask.budget_field or ask.field
        raise InvalidRequestError(f"{field} is required", field=field)
    return {"thinking": {**thinking, "budget_tokens": budget}}


def _level(ask: ReasoningAsk, model: str) -> str:
    if ask.effort is None or ask.effort_field is None:
        field = ask.effort_field or ask.field
        needs = f"needs {ask.effort_field}" if ask.effort_field else f"does not take {ask.field}"
        raise InvalidRequestError(f"model {model!r} reasons by effort level: it {needs}", field=field)
    return _LEVEL[ask.effort]


def _nova2(ask: ReasoningAsk, model: str, max_tokens: int) -> dict[str, Any]:
    return {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": _level(ask, model)}}


def _gpt_oss(ask: ReasoningAsk, model: str, max_tokens: int) -> dict[str, Any]:
    return {"reasoning_effort": _level(ask, model)}


@dataclass(frozen=True, slots=True)
class ReasoningFamily:
    """Models (provider + a pattern on the name after ``provider.``) and how they take a reasoning ask."""

    provider: str
    names: re.Pattern[str]
    fields: Callable[[ReasoningAsk, str, int], dict[str, Any]]
    """(ask, model, max_tokens) -> ``additionalModelRequestFields`` entries."""


REASONING_FAMILIES: tuple[ReasoningFamily, ...] = (
    ReasoningFamily("anthropic", re.compile(r"claude-(?:3-7-|(?:sonnet|opus|haiku)-[4-9])"), _claude),
    ReasoningFamily("amazon", re.compile(r"nova-2-"), _nova2),
    ReasoningFamily("openai", re.compile(r"gpt-oss-"), _gpt_oss),
)
"""The families that reason, first match wins."""


def reasoning_fields(ask: ReasoningAsk, model: str, max_tokens: int) -> dict[str, Any]:
    """The ``additionalModelRequestFields`` entries for ``ask`` on ``model`` (empty for none); 400 if it cannot."""
    if not ask.wants_reasoning:
        return {}
    ref = parse_model_id(model)
    name = (ref.base_id or "").partition(".")[2]
    for family in REASONING_FAMILIES:
        if ref.provider == family.provider and family.names.match(name):
            return family.fields(ask, model, max_tokens)
    if ref.provider == "anthropic" and (ask.effort is None or ask.effort == "none"):
        return _claude(ask, model, max_tokens)  # an explicit budget / thinking object: Bedrock judges the model
    raise InvalidRequestError(
        f"model {model!r} cannot reason through this API: leave {ask.field} unset, or pick a reasoning model "
        "(Claude 3.7 / 4.x, Amazon Nova 2, gpt-oss)",
        field=ask.field,
    )
