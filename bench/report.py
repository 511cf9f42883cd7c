"""The performance targets (README.md, "Targets"), judged against a results document, and the printed table."""

from __future__ import annotations

from typing import Any

__all__ = ["judge", "table"]

_PATHS = ("limit", "ours", "fastapi_uvicorn")


def judge(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met (reported, never asserted)."""
    ttfb, lat = results["ttfb"]["ours"], results["delta_latency"]["ours"]
    small = results["throughput"]["small"]
    start = results["startup"]
    memory = results["memory"]["ours"]
    targets = [
        ("added TTFB p50 < 1 ms", ttfb["added_p50"], ttfb["added_p50"] < 1),
        ("added TTFB p99 < 5 ms", ttfb["added_p99"], ttfb["added_p99"] < 5),
        ("added per-delta latency p50 < 1 ms", lat["added_p50"], lat["added_p50"] < 1),
        ("added per-delta latency p99 < 5 ms", lat["added_p99"], lat["added_p99"] < 5),
        (
            "20-byte delta throughput >= 80% of limit",
            small["ours"]["ratio_to_limit"],
            small["ours"]["ratio_to_limit"] >= 0.8,
        ),
        (
            "start to ready <= 1.2x bare boto3",
            start["ratio_to_bare_boto3"]["ours"],
            start["ratio_to_bare_boto3"]["ours"] <= 1.2,
        ),
        (
            "start to ready faster than FastAPI + uvicorn",
            start["ours"]["median"],
            start["ours"]["median"] < start["fastapi_uvicorn"]["median"],
        ),
        (
            "peak RSS growth 50 MB vs 1 MB < 10 MB",
            memory["growth_bytes"] / 1e6,
            memory["growth_bytes"] < 10_000_000,
        ),
    ]
    return [{"target": name, "measured": value, "met": bool(met)} for name, value, met in targets]


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def table(results: dict[str, Any]) -> str:
    """A plain-text table of the headline numbers (medians; p25-p75 where repeated)."""
    ttfb, lat, tp, start, mem = (
        results["ttfb"],
        results["delta_latency"],
        results["throughput"],
        results["startup"],
        results["memory"],
    )

    def ms(value: float) -> str:
        return f"{value:.2f}"

    def rng(s: dict[str, float], fmt: str = "{:.0f}") -> str:
        return f"{fmt.format(s['median'])} ({fmt.format(s['p25'])}-{fmt.format(s['p75'])})"

    rows = [["metric", "limit (boto3)", "ours (runtime)", "FastAPI+uvicorn"]]
    rows.append(["TTFB p50 / p99 ms", *(f"{ms(ttfb[p]['p50'])} / {ms(ttfb[p]['p99'])}" for p in _PATHS)])
    rows.append(
        [
            "added TTFB p50 / p99 ms",
            "-",
            *(f"{ms(ttfb[p]['added_p50'])} / {ms(ttfb[p]['added_p99'])}" for p in _PATHS[1:]),
        ]
    )
    rows.append(["delta latency p50 / p99 ms", *(f"{ms(lat[p]['p50'])} / {ms(lat[p]['p99'])}" for p in _PATHS)])
    rows.append(
        [
            "added delta latency p50 / p99 ms",
            "-",
            *(f"{ms(lat[p]['added_p50'])} / {ms(lat[p]['added_p99'])}" for p in _PATHS[1:]),
        ]
    )
    for key, label in (("small", "20 B"), ("large", f"{tp['large']['scenario']['delta_bytes'] // 1024} KiB")):
        rows.append([f"{label} deltas/s (p25-p75)", *(rng(tp[key][p]["deltas_per_s"]) for p in _PATHS)])
        rows.append([f"{label} MB/s (p25-p75)", *(rng(tp[key][p]["mb_per_s"], "{:.2f}") for p in _PATHS)])
        rows.append([f"{label} ratio to limit", *(f"{tp[key][p]['ratio_to_limit']:.2f}" for p in _PATHS)])
    rows.append(
        ["CPU ms / 1000 x 20 B deltas", *(rng(tp["small"][p]["cpu_ms_per_1000_deltas"], "{:.1f}") for p in _PATHS)]
    )
    rows.append(
        [
            "start to ready ms (p25-p75)",
            rng(start["bare_boto3"]) + " bare",
            rng(start["ours"]),
            rng(start["fastapi_uvicorn"]),
        ]
    )
    rows.append(
        ["start to ready / bare boto3", "1.00", *(f"{start['ratio_to_bare_boto3'][p]:.2f}" for p in _PATHS[1:])]
    )
    for key in ("small", "large"):
        size = mem[key]["deltas"] * mem[key]["delta_bytes"] / 1e6
        rows.append(
            [
                f"peak RSS MB after {size:.0f} MB",
                "-",
                *(f"{mem[p][f'peak_rss_{key}_bytes'] / 1e6:.1f}" for p in _PATHS[1:]),
            ]
        )
    rows.append(["peak RSS growth MB", "-", *(f"{mem[p]['growth_bytes'] / 1e6:.2f}" for p in _PATHS[1:])])
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [_row(row, widths) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("")
    for target in results["targets"]:
        lines.append(f"[{'met ' if target['met'] else 'MISS'}] {target['target']}: {target['measured']:.3f}")
    return "\n".join(lines)
