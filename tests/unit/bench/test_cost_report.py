"""``bench.cost_report``: the cost table and the memory recommendation from a (synthetic) measurement document."""

from __future__ import annotations

from typing import Any

import pytest

from bench.cost_report import cost_section, markdown

_MIB = 2**20


def _row(memory_mb: int, cold_ms: float, ttfb_ms: float, rate: float | None, rss_mib: float = 50) -> dict[str, Any]:
    return {
        "memory_mb": memory_mb,
        "cold_start_ms": {"median": cold_ms},
        "warm_ttfb_ms": {"p50": ttfb_ms},
        "cpu_us_per_delta": 300.0,
        "cpu_ms_per_short_answer": 5.0,
        "sustainable_deltas_per_s": rate,
        "capped_at_harness_ceiling": False,
        "peak_rss_bytes": rss_mib * _MIB,
    }


def _share(ours: list[dict[str, Any]]) -> dict[str, Any]:
    other = [_row(row["memory_mb"], 2 * row["cold_start_ms"]["median"], 10, 100, 70) for row in ours]
    return {
        "plan": {"quick": False, "period_us": 100_000},
        "load_average_at_start": [0.1, 0.1, 0.1],
        "load_average_at_end": [0.2, 0.1, 0.1],
        "harness_ceiling_deltas_per_s": 12800,
        "paths": {"ours": ours, "fastapi_uvicorn": other},
    }


def test_the_smallest_size_meeting_every_bound_is_recommended() -> None:
    share = _share(
        [
            _row(128, 6000, 90, 1000),  # cold start and TTFB too slow
            _row(256, 2500, 20, 2000),  # cold start too slow
            _row(512, 1500, 12, 3000),
            _row(1769, 600, 10, 6000),
        ]
    )
    assert cost_section(share)["recommendation"]["memory_mb"] == 512


def test_a_size_too_small_for_the_process_is_not_recommended() -> None:
    share = _share(
        [_row(128, 900, 10, 1000, rss_mib=90), _row(256, 800, 10, 1000, rss_mib=90), _row(1769, 500, 8, 9000)]
    )
    assert cost_section(share)["recommendation"]["memory_mb"] == 256


def test_a_function_that_falls_behind_the_model_is_billed_for_the_longer_stream() -> None:
    share = _share([_row(128, 900, 0, 25), _row(1769, 500, 0, 9000)])
    small, full = cost_section(share)["paths"]["ours"]["standard"]
    assert small["falls_behind"]
    assert not full["falls_behind"]
    assert small["billed_s_per_answer"] == pytest.approx(0.5 + 500 / 25)
    assert full["billed_s_per_answer"] == pytest.approx(0.5 + 10)


def test_the_markdown_states_the_assumptions_and_every_row() -> None:
    share = _share([_row(128, 900, 10, 1000), _row(1769, 500, 8, 9000)])
    text = markdown(share, cost_section(share))
    assert "500 output tokens at 50 tokens/s" in text
    assert "https://aws.amazon.com/lambda/pricing/" in text
    assert "load average at start [0.1, 0.1, 0.1]" in text
    assert text.count("| 128 |") == 2
    assert text.count("| 1769 |") == 2
    assert "Default memory: **128 MB**" in text


def test_when_no_size_meets_the_rule_the_largest_is_named_and_the_miss_said() -> None:
    share = _share([_row(128, 9000, 90, 100), _row(1769, 5000, 8, 9000)])
    cost = cost_section(share)
    assert cost["recommendation"]["memory_mb"] == 1769
    assert not cost["recommendation"]["met"]
    assert "no size met the rule" in markdown(share, cost)
