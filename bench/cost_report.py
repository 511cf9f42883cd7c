"""The cost table (markdown) and the memory-size recommendation, from the Lambda CPU-share measurements.

Inputs: the document of :func:`bench.lambda_share.run_share`. Prices and arithmetic: :mod:`bench.cost_model`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bench import cost_model
from bench.cost_model import AnswerShape, answer_duration_s, lambda_cost_per_million, lmi_estimate

__all__ = ["RULE", "SHAPE", "cost_section", "markdown"]

SHAPE = AnswerShape()
LMI_CONCURRENCY = (16, 64)
COLD_START_BUDGET_MS = 2000
RULE = (
    "the smallest memory size at which our runtime (a) sustains at least 4x the typical delta rate, (b) keeps its "
    "peak RSS under 60 % of the memory, (c) adds at most 25 ms of warm TTFB over its 1,769 MB value and (d) starts "
    "cold (spawn to first byte under the quota) within 2 s"
)


def _row_numbers(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "memory_mb": row["memory_mb"],
        "cold_start_ms": row["cold_start_ms"]["median"],
        "warm_ttfb_ms": row["warm_ttfb_ms"]["p50"],
        "warm_ttfb_back_to_back_ms": row.get("warm_ttfb_back_to_back_ms", {}).get("p50"),
        "cpu_us_per_delta": row["cpu_us_per_delta"],
        "cpu_ms_per_short_answer": row["cpu_ms_per_short_answer"],
        "sustainable_deltas_per_s": row["sustainable_deltas_per_s"],
        "capped": row["capped_at_harness_ceiling"],
        "peak_rss_mib": row["peak_rss_bytes"] / 2**20,
    }


def _standard(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        numbers = _row_numbers(row)
        duration = answer_duration_s(SHAPE, numbers["warm_ttfb_ms"] / 1000, numbers["sustainable_deltas_per_s"])
        numbers["billed_s_per_answer"] = duration
        numbers["falls_behind"] = (numbers["sustainable_deltas_per_s"] or 0) < SHAPE.deltas_per_s
        for arch in ("arm64", "x86_64"):
            numbers[f"usd_per_million_{arch}"] = lambda_cost_per_million(
                row["memory_mb"],
                duration,
                arch,
                cold_start_s=numbers["cold_start_ms"] / 1000,
                cold_start_fraction=SHAPE.cold_start_fraction,
            )
        out.append(numbers)
    return out


def _lmi(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    full = _row_numbers(max(rows, key=lambda row: row["memory_mb"]))  # one full vCPU, like an LMI vCPU
    cpu_s = full["cpu_ms_per_short_answer"] / 1000 + SHAPE.deltas * full["cpu_us_per_delta"] / 1e6
    answer_s = answer_duration_s(SHAPE, full["warm_ttfb_ms"] / 1000, None)
    out = []
    for concurrency in LMI_CONCURRENCY:
        for arch in ("arm64", "x86_64"):
            estimate = lmi_estimate(
                concurrency=concurrency,
                answer_s=answer_s,
                cpu_s_per_answer=cpu_s,
                rss_mib_per_process=full["peak_rss_mib"],
                arch=arch,
            )
            entry = asdict(estimate)
            entry["instance"] = estimate.instance.name
            entry["instance_hourly_usd"] = estimate.instance.hourly_usd
            entry["arch"] = arch
            entry["cpu_s_per_answer"] = cpu_s
            entry["answer_s"] = answer_s
            entry["measured_at_mb"] = full["memory_mb"]
            entry["environments_at_1m_per_day"], entry["instances_at_1m_per_day"] = estimate.fleet(1e6 / 86400)
            out.append(entry)
    return out


def _recommend(standard: list[dict[str, Any]]) -> dict[str, Any]:
    full = max(standard, key=lambda row: row["memory_mb"])
    for row in sorted(standard, key=lambda row: row["memory_mb"]):
        checks = {
            "rate": (row["sustainable_deltas_per_s"] or 0) >= 4 * SHAPE.deltas_per_s,
            "memory": row["peak_rss_mib"] <= 0.6 * row["memory_mb"],
            "warm_ttfb": row["warm_ttfb_ms"] <= full["warm_ttfb_ms"] + 25,
            "cold_start": row["cold_start_ms"] <= COLD_START_BUDGET_MS,
        }
        if all(checks.values()):
            return {"memory_mb": row["memory_mb"], "rule": RULE, "met": True, "checks": checks}
    return {"memory_mb": full["memory_mb"], "rule": RULE, "met": False, "checks": {}}


def cost_section(share: dict[str, Any]) -> dict[str, Any]:
    """Standard-Lambda cost per memory size, LMI estimates and the recommendation, per path."""
    section: dict[str, Any] = {
        "shape": {**asdict(SHAPE), "deltas": SHAPE.deltas, "deltas_per_s": SHAPE.deltas_per_s},
        "prices_read_on": cost_model.PRICES_READ_ON,
        "prices": {arch: asdict(price) for arch, price in cost_model.PRICES.items()},
        "ec2_instances": [asdict(instance) for instance in cost_model.EC2_INSTANCES],
        "lmi_management_fee": cost_model.LMI_MANAGEMENT_FEE,
        "lmi_per_million_requests": cost_model.LMI_PER_MILLION_REQUESTS,
        "paths": {},
    }
    for name, rows in share["paths"].items():
        standard = _standard(rows)
        section["paths"][name] = {"standard": standard, "lmi": _lmi(rows)}
    section["recommendation"] = _recommend(section["paths"]["ours"]["standard"])
    return section


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def markdown(share: dict[str, Any], cost: dict[str, Any]) -> str:
    """``bench/results/cost.md``: assumptions, the measured table, costs, LMI and the recommendation."""
    shape = SHAPE
    plan = share["plan"]
    lines = [
        "# Cost per million answers (generated by `make bench`; do not edit)",
        "",
        f"Measured {share.get('date', '?')} on {share.get('cpu_model', '?')}; load average at start "
        f"{share['load_average_at_start']}, at end {share.get('load_average_at_end')}"
        + (" (quick run: a harness check, not a measurement)" if plan["quick"] else "")
        + ". Method and assumptions: docs/cost-model.md.",
        "",
        "Assumptions: a typical answer is "
        f"{shape.output_tokens} output tokens at {shape.tokens_per_s:g} tokens/s, one token per delta "
        f"({shape.deltas} deltas), after {shape.model_ttft_s:g} s of model time to first token; "
        f"{shape.cold_start_fraction:.0%} of answers start cold (init is billed). The function process runs under "
        f"a CFS quota of period x memory / 1769 (period {plan['period_us']} us). Prices: us-east-1 on-demand, first "
        f"tier, read {cost['prices_read_on']} from {cost_model.LAMBDA_PRICING_URL} and {cost_model.EC2_PRICING_URL}.",
        "",
    ]
    for name, data in cost["paths"].items():
        lines += [
            f"## {name}: standard Lambda (duration billed for the whole stream)",
            "",
            "| memory MB | cold start ms | warm TTFB ms (back to back) | CPU us/delta | sustainable deltas/s "
            "| peak RSS MiB | billed s/answer | USD/1M arm64 | USD/1M x86_64 |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in data["standard"]:
            rate = _fmt(row["sustainable_deltas_per_s"]) + ("+" if row["capped"] else "")
            lines.append(
                f"| {row['memory_mb']} | {_fmt(row['cold_start_ms'])} | {_fmt(row['warm_ttfb_ms'], 1)} "
                f"({_fmt(row['warm_ttfb_back_to_back_ms'], 1)}) "
                f"| {_fmt(row['cpu_us_per_delta'])} | {rate} | {_fmt(row['peak_rss_mib'])} "
                f"| {_fmt(row['billed_s_per_answer'], 2)} | {_fmt(row['usd_per_million_arm64'], 2)} "
                f"| {_fmt(row['usd_per_million_x86_64'], 2)} |"
            )
        lines += [
            "",
            f"## {name}: Lambda Managed Instances (model from the CPU measured at "
            f"{data['lmi'][0]['measured_at_mb']} MB)",
            "",
            "| concurrency / env | arch | instance (GiB/vCPU needed) | bound | answers/s per env | CPU use "
            "| env-hours/1M | instance-hours/1M | envs / instances at 1M a day | USD/1M |",
            "|---:|---|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in data["lmi"]:
            lines.append(
                f"| {row['concurrency']} | {row['arch']} | {row['instance']} ({row['memory_gib_per_vcpu']:g}) "
                f"| {row['bound']} | {row['answers_per_env_s']:.2f} | {row['cpu_utilization']:.0%} "
                f"| {row['env_hours_per_million']:,.1f} | {row['instance_hours_per_million']:,.1f} "
                f"| {row['environments_at_1m_per_day']} / {row['instances_at_1m_per_day']} "
                f"| {row['cost_per_million']:,.2f} |"
            )
        lines.append("")
    recommendation = cost["recommendation"]
    lines += [
        "## Recommendation",
        "",
        f"Default memory: **{recommendation['memory_mb']} MB**: {recommendation['rule']}."
        if recommendation["met"]
        else f"Default memory: **{recommendation['memory_mb']} MB** (the largest measured): no size met the rule, "
        f"{recommendation['rule']}.",
        "",
        f"CPU per delta is measured at {shape.deltas_per_s:g} deltas/s, one delta per read; for scale, boto3 alone "
        f"(a thread of the bench, no quota) uses {_fmt(share.get('boto3_cpu_us_per_delta'))} us per delta reading "
        "the same stream.",
        "",
        "'+' after a rate: the harness ceiling (fake Bedrock and client in one process, "
        f"{_fmt(share.get('harness_ceiling_deltas_per_s'))} deltas/s) was reached first. LMI rows assume steady load "
        "(environments always busy), one-vCPU environments, one process of the measured peak RSS per concurrent "
        "request (the Python runtime's model), at most 70 % vCPU use, the listed instance's on-demand price plus the "
        "15 % management fee plus the request charge, and no idle minimum fleet.",
        "",
    ]
    return "\n".join(lines)
