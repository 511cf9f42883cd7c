"""Synth-time warnings for configured models that are Legacy or past their end of life.

A small, hand-kept table, read on 2026-12-02; each row names the page its state and date come from. It is a reminder,
not the authority: Amazon Bedrock's own lifecycle pages govern Bedrock ("Model lifecycle",
https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html, for models launched from 2026-09-07, and
"Model lifecycle (Legacy)", https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html, for
older ones), and the live state of a model in a Region is the ``modelLifecycle.status`` field of Bedrock's
GetFoundationModel / ListFoundationModels answer. Model providers' own retirement dates (Anthropic's) can differ from
Bedrock's; rows taken from a provider say so. One row per model id; add a row when a model you use changes state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from infra.bedrock_access import ArnModel, ModelIdError, classify_model

__all__ = ["MODEL_LIFECYCLE", "LifecycleEntry", "lifecycle_warnings"]

_ANTHROPIC_DEPRECATIONS: Final = "https://platform.claude.com/docs/en/about-claude/model-deprecations"


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleEntry:
    """What is known about one model version: its state, its end-of-life date if announced, and where that is said."""

    state: Literal["legacy", "end-of-life"]
    end_of_life: dt.date | None
    source: str


MODEL_LIFECYCLE: Final[Mapping[str, LifecycleEntry]] = {
    "anthropic.claude-sonnet-4-5-20250929-v1:0": LifecycleEntry(
        state="legacy",
        end_of_life=dt.date(2026, 11, 30),
        source="Anthropic (retires 2026-11-30): https://platform.claude.com/docs/en/models/sonnet-4-5/overview",
    ),
    "anthropic.claude-sonnet-4-6": LifecycleEntry(
        state="legacy",
        end_of_life=None,
        source="Anthropic (Legacy, replaced by Claude Sonnet 5.5): "
        "https://platform.claude.com/docs/en/models/sonnet-4-6/overview",
    ),
    "anthropic.claude-sonnet-4-20250514-v1:0": LifecycleEntry(
        state="end-of-life",
        end_of_life=dt.date(2026, 6, 15),
        source=f"Anthropic (retired 2026-06-15): {_ANTHROPIC_DEPRECATIONS}",
    ),
    "anthropic.claude-opus-4-20250514-v1:0": LifecycleEntry(
        state="end-of-life",
        end_of_life=dt.date(2026, 6, 15),
        source=f"Anthropic (retired 2026-06-15): {_ANTHROPIC_DEPRECATIONS}",
    ),
    "anthropic.claude-3-7-sonnet-20250219-v1:0": LifecycleEntry(
        state="end-of-life",
        end_of_life=dt.date(2026, 4, 28),
        source="Amazon Bedrock EOL as reported secondhand; confirm at "
        "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html",
    ),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": LifecycleEntry(
        state="end-of-life",
        end_of_life=dt.date(2026, 3, 1),
        source="Amazon Bedrock EOL as quoted from AWS's release notes; confirm at "
        "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html",
    ),
}
"""Foundation model id (no geography prefix) -> its lifecycle entry."""


def lifecycle_warnings(
    models: Sequence[str],
    *,
    geo_regions: Mapping[str, Sequence[str]],
    model_sources: Mapping[str, str],
    today: dt.date,
    table: Mapping[str, LifecycleEntry] = MODEL_LIFECYCLE,
) -> list[str]:
    """One message per configured model whose foundation model is in ``table`` (profiles and app profiles resolved)."""
    messages: list[str] = []
    for model in models:
        foundation = _foundation_model(model, geo_regions, model_sources)
        entry = table.get(foundation) if foundation else None
        if entry is None:
            continue
        if entry.end_of_life is not None and entry.end_of_life <= today:
            status = f"is past its end of life ({entry.end_of_life.isoformat()})"
        elif entry.state == "end-of-life":
            status = "has reached its end of life"
        elif entry.end_of_life is not None:
            status = f"is Legacy and reaches its end of life on {entry.end_of_life.isoformat()}"
        else:
            status = "is Legacy (new accounts may not get access; plan to move to its successor)"
        via = "" if foundation == model else f" (foundation model {foundation})"
        messages.append(f"models: {model}{via} {status}; source: {entry.source}")
    return messages


def _foundation_model(model: str, geo_regions: Mapping[str, Sequence[str]], sources: Mapping[str, str]) -> str | None:
    """The foundation model id behind ``model``, or ``None`` when it cannot be told offline (provisioned, imported)."""
    try:
        ref = classify_model(model, geo_regions)
    except ModelIdError:
        return None  # the config reports invalid ids itself
    if isinstance(ref, ArnModel):
        source = sources.get(model)
        return _foundation_model(source, geo_regions, {}) if source else None
    return ref.model_id
