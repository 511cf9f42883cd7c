"""OpenAI ``reasoning_effort`` -> each model family's reasoning request, for ``additionalModelRequestFields``.

One row per family that can reason on Bedrock:

- Anthropic Claude 3.7 and 4.x: ``thinking: {"type": "enabled", "budget_tokens": n}``; the budget grows with the
  effort (1024 / 4096 / 16384) and stays below ``max_tokens``
  (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html);
- Amazon Nova 2: ``reasoningConfig: {"type": "enabled", "maxReasoningEffort": "low" | "medium" | "high"}``
  (https://docs.aws.amazon.com/nova/latest/nova2-userguide/using-converse-api.html, "Using reasoning");
- OpenAI gpt-oss: ``reasoning_effort: "low" | "medium" | "high"``
  (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html).

OpenAI's ``minimal`` reads as ``low`` and ``xhigh``/``max`` as ``high`` (Bedrock's ceilings); ``none`` asks for no
reasoning. Any other model cannot reason through Converse: an effort other than ``none`` is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bedrock_stream.bedrock.registry import parse_model_id
from bedrock_stream.errors import InvalidRequestError

__all__ = ["REASONING_FAMILIES", "ReasoningFamily", "reasoning_fields"]

_LEVEL = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "high", "max": "high"}
_CLAUDE_BUDGET = {"low": 1024, "medium": 4096, "high": 16384}
_CLAUDE_MIN_BUDGET = 1024


def _claude(level: str, max_tokens: int) -> dict[str, Any]:
    budget = min(_CLAUDE_BUDGET[level], max_tokens - 1)
    if budget < _CLAUDE_MIN_BUDGET:
        raise InvalidRequestError(
            f"reasoning needs max_tokens above {_CLAUDE_MIN_BUDGET} for this model (Claude's minimum thinking "
            f"budget); got {max_tokens}",
            field="reasoning_effort",
        )
    return {"thinking": {"type": "enabled", "budget_tokens": budget}}


def _nova2(level: str, max_tokens: int) -> dict[str, Any]:
    return {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": level}}


def _gpt_oss(level: str, max_tokens: int) -> dict[str, Any]:
    return {"reasoning_effort": level}


@dataclass(frozen=True, slots=True)
class ReasoningFamily:
    """Models (provider + a pattern on the name after ``provider.``) and how they take a reasoning level."""

    provider: str
    names: re.Pattern[str]
    fields: Callable[[str, int], dict[str, Any]]
    """(level ``low``/``medium``/``high``, max_tokens) -> ``additionalModelRequestFields`` entries."""


REASONING_FAMILIES: tuple[ReasoningFamily, ...] = (
    ReasoningFamily("anthropic", re.compile(r"claude-(?:3-7-|(?:sonnet|opus|haiku)-[4-9])"), _claude),
    ReasoningFamily("amazon", re.compile(r"nova-2-"), _nova2),
    ReasoningFamily("openai", re.compile(r"gpt-oss-"), _gpt_oss),
)
"""The families that reason, first match wins."""


def reasoning_fields(effort: str | None, model: str, max_tokens: int) -> dict[str, Any]:
    """The ``additionalModelRequestFields`` entries for ``effort`` on ``model`` (empty for none); 400 if it cannot."""
    if effort is None or effort == "none":
        return {}
    ref = parse_model_id(model)
    name = (ref.base_id or "").partition(".")[2]
    for family in REASONING_FAMILIES:
        if ref.provider == family.provider and family.names.match(name):
            return family.fields(_LEVEL[effort], max_tokens)
    raise InvalidRequestError(
        f"model {model!r} cannot reason through this API: leave reasoning_effort unset (or none), or pick a "
        "reasoning model (Claude 3.7 / 4.x, Amazon Nova 2, gpt-oss)",
        field="reasoning_effort",
    )
