"""Synth-time lifecycle warnings from the small table in infra/model_lifecycle.py (pure, a fixed date)."""

from __future__ import annotations

import datetime as dt

from infra.model_lifecycle import MODEL_LIFECYCLE, LifecycleEntry, lifecycle_warnings
from infra.regions import GEO_DESTINATION_REGIONS

DAY = dt.date(2026, 12, 2)
TABLE = {
    "acme.legacy-v1:0": LifecycleEntry(state="legacy", end_of_life=dt.date(2027, 3, 1), source="https://example.com/a"),
    "acme.undated-v1:0": LifecycleEntry(state="legacy", end_of_life=None, source="https://example.com/b"),
    "acme.gone-v1:0": LifecycleEntry(state="legacy", end_of_life=dt.date(2026, 11, 30), source="https://example.com/c"),
}


def warnings(models: list[str], sources: dict[str, str] | None = None) -> list[str]:
    return lifecycle_warnings(
        models, geo_regions=GEO_DESTINATION_REGIONS, model_sources=sources or {}, today=DAY, table=TABLE
    )


def test_legacy_with_a_future_date_past_date_and_no_date() -> None:
    assert warnings(["acme.legacy-v1:0", "acme.undated-v1:0", "acme.gone-v1:0", "acme.fine-v1:0"]) == [
        "models: acme.legacy-v1:0 is Legacy and reaches its end of life on 2027-03-01; source: https://example.com/a",
        "models: acme.undated-v1:0 is Legacy (new accounts may not get access; plan to move to its successor); "
        "source: https://example.com/b",
        "models: acme.gone-v1:0 is past its end of life (2026-11-30); source: https://example.com/c",
    ]


def test_profiles_and_application_profiles_resolve_to_their_foundation_model() -> None:
    arn = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc"
    found = warnings(["eu.acme.gone-v1:0", "global.acme.gone-v1:0", arn], sources={arn: "us.acme.gone-v1:0"})
    assert [message.split(" is ")[0] for message in found] == [
        "models: eu.acme.gone-v1:0 (foundation model acme.gone-v1:0)",
        "models: global.acme.gone-v1:0 (foundation model acme.gone-v1:0)",
        f"models: {arn} (foundation model acme.gone-v1:0)",
    ]
    provisioned = "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/xyz"
    assert warnings([provisioned, "not a model id"]) == []  # nothing to tell offline; invalid ids are config errors


def test_claude_sonnet_4_5_is_flagged_after_2026_11_30_and_every_row_cites_a_page() -> None:
    model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    (message,) = lifecycle_warnings([model], geo_regions=GEO_DESTINATION_REGIONS, model_sources={}, today=DAY)
    assert "is past its end of life (2026-11-30)" in message
    (before,) = lifecycle_warnings(
        [model], geo_regions=GEO_DESTINATION_REGIONS, model_sources={}, today=dt.date(2026, 11, 1)
    )
    assert "is Legacy and reaches its end of life on 2026-11-30" in before
    assert all("https://" in entry.source for entry in MODEL_LIFECYCLE.values())
