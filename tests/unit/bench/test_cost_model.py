"""``bench.cost_model``: the arithmetic of cost per million answers, checked against hand-worked numbers."""

from __future__ import annotations

import pytest

from bench.cost_model import (
    PRICES,
    AnswerShape,
    answer_duration_s,
    lambda_cost_per_million,
    lmi_estimate,
    lmi_instance_for,
)


def test_a_typical_answer_lasts_ttft_plus_added_ttfb_plus_its_stream() -> None:
    shape = AnswerShape(output_tokens=500, tokens_per_s=50, model_ttft_s=0.5)
    assert answer_duration_s(shape, 0.02, None) == pytest.approx(0.5 + 0.02 + 10.0)


def test_a_function_slower_than_the_model_stretches_the_stream() -> None:
    shape = AnswerShape(output_tokens=500, tokens_per_s=50, model_ttft_s=0.0)
    assert answer_duration_s(shape, 0.0, 25) == pytest.approx(20.0)
    assert answer_duration_s(shape, 0.0, 1000) == pytest.approx(10.0)


def test_several_tokens_per_delta_mean_fewer_deltas() -> None:
    shape = AnswerShape(output_tokens=500, tokens_per_s=50, tokens_per_delta=4)
    assert (shape.deltas, shape.deltas_per_s) == (125, 12.5)


def test_standard_lambda_bills_gb_seconds_plus_requests() -> None:
    # 512 MB for 10 s = 5 GB-s; a million of them at arm64's first-tier price, plus $0.20 of requests
    expected = 1_000_000 * 0.5 * 10 * PRICES["arm64"].per_gb_second + 0.20
    assert lambda_cost_per_million(512, 10.0, "arm64") == pytest.approx(expected)
    assert lambda_cost_per_million(512, 10.0, "arm64") == pytest.approx(66.867)


def test_billed_cold_starts_add_their_share_of_init_time() -> None:
    warm = lambda_cost_per_million(1024, 10.0, "x86_64")
    cold = lambda_cost_per_million(1024, 10.0, "x86_64", cold_start_s=2.0, cold_start_fraction=0.01)
    assert cold - warm == pytest.approx(1_000_000 * 1.0 * 0.02 * PRICES["x86_64"].per_gb_second)


def test_the_cheapest_instance_with_enough_memory_per_vcpu_is_chosen() -> None:
    assert lmi_instance_for(2, "arm64").name == "c7g.xlarge"
    assert lmi_instance_for(3, "arm64").name == "m7g.xlarge"
    assert lmi_instance_for(8, "x86_64").name == "r7i.xlarge"
    with pytest.raises(ValueError, match="no listed arm64 instance"):
        lmi_instance_for(9, "arm64")


def test_lmi_is_slot_bound_when_the_cpu_per_answer_is_small() -> None:
    # 16 slots, 10 s answers -> 1.6 answers/s per env; CPU allows 0.7 / 0.05 = 14/s: the slots bind
    estimate = lmi_estimate(concurrency=16, answer_s=10.0, cpu_s_per_answer=0.05, rss_mib_per_process=50, arch="arm64")
    assert estimate.bound == "concurrency"
    assert estimate.answers_per_env_s == pytest.approx(1.6)
    assert estimate.env_hours_per_million == pytest.approx(1_000_000 / 1.6 / 3600)
    assert estimate.instance.name == "c7g.xlarge"  # 16 x 50 MiB = 0.8 GiB -> the 2 GiB/vCPU minimum
    hours = estimate.env_hours_per_million / 4
    assert estimate.cost_per_million == pytest.approx(hours * 0.1450 * 1.15 + 0.20)
    assert estimate.cpu_utilization == pytest.approx(0.08)
    # 1M answers a day = 11.57/s -> 7.2 environments of 1.6/s -> 8, on 4-vCPU instances -> 2
    assert estimate.fleet(1e6 / 86400) == (8, 2)


def test_lmi_is_cpu_bound_when_many_slots_share_one_vcpu() -> None:
    # 64 slots, 10 s answers -> 6.4/s by slots; CPU allows 0.7 / 0.25 = 2.8/s: the CPU binds
    estimate = lmi_estimate(concurrency=64, answer_s=10.0, cpu_s_per_answer=0.25, rss_mib_per_process=50, arch="x86_64")
    assert estimate.bound == "cpu"
    assert estimate.answers_per_env_s == pytest.approx(2.8)
    assert estimate.memory_gib_per_vcpu == 4  # 64 x 50 MiB = 3.1 GiB -> 4 GiB per vCPU
    assert estimate.instance.name == "m7i.xlarge"
    assert estimate.cpu_utilization == pytest.approx(0.7)


def test_lmi_refuses_a_process_count_that_no_instance_can_hold() -> None:
    with pytest.raises(ValueError, match="GiB/vCPU"):
        lmi_estimate(concurrency=64, answer_s=10, cpu_s_per_answer=0.1, rss_mib_per_process=200, arch="arm64")
