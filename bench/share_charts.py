"""PNG charts of the Lambda CPU-share measurements and the cost model (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = ["draw_share"]

_STYLE = {"ours": ("ours (runtime)", "#1f77b4"), "fastapi_uvicorn": ("FastAPI + uvicorn", "#ff7f0e")}


def _series(rows: list[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    pairs = [(row["memory_mb"], row[key]) for row in rows if row[key] is not None]
    return [m for m, _ in pairs], [v for _, v in pairs]


def draw_share(cost: dict[str, Any], directory: Path) -> list[Path]:
    """Write lambda_share.png (the four measurements per memory size) and cost.png; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    panels = (
        ("cold_start_ms", "Cold start (spawn to first byte)", "ms"),
        ("warm_ttfb_ms", "Warm TTFB p50 (request after idle)", "ms"),
        ("sustainable_deltas_per_s", "Highest sustainable deltas/s", "deltas/s"),
        ("cpu_us_per_delta", "CPU per delta (at 50 deltas/s)", "us"),
    )
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    for ax, (key, title, unit) in zip(axes.flat, panels, strict=True):
        for name, data in cost["paths"].items():
            label, color = _STYLE.get(name, (name, None))
            x, y = _series(data["standard"], key)
            ax.plot(x, y, marker="o", label=label, color=color)
        ax.set_xscale("log", base=2)
        ax.set_xticks([128, 256, 512, 1024, 1769], ["128", "256", "512", "1024", "1769"])
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("Lambda memory (MB) -> CPU quota = memory / 1769 of a core")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.tight_layout()
    share_png = directory / "lambda_share.png"
    fig.savefig(share_png, dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 5))
    for name, data in cost["paths"].items():
        label, color = _STYLE.get(name, (name, None))
        x, y = _series(data["standard"], "usd_per_million_arm64")
        marker, size = ("o", 9) if name == "ours" else ("s", 5)
        ax.plot(x, y, marker=marker, markersize=size, color=color, label=f"{label}: Lambda arm64")
        for row, style in zip([r for r in data["lmi"] if r["arch"] == "arm64"], (":", "--"), strict=False):
            ax.axhline(
                row["cost_per_million"],
                color=color,
                linestyle=style,
                label=f"{label}: LMI arm64, {row['concurrency']}/env ({row['instance']})",
            )
    recommended = cost["recommendation"]["memory_mb"]
    ax.axvline(recommended, color="#2ca02c", alpha=0.5, label=f"recommended default: {recommended} MB")
    ax.set_xscale("log", base=2)
    ax.set_xticks([128, 256, 512, 1024, 1769], ["128", "256", "512", "1024", "1769"])
    ax.set_yscale("log")
    ax.set_xlabel("Lambda memory (MB)")
    ax.set_ylabel("USD per million answers (log)")
    ax.text(
        0.99,
        0.40,
        "Standard Lambda bills the whole stream: both paths cost the same per memory size.\n"
        "LMI lines: steady load, CPU-bound model from the CPU measured at 1,769 MB (docs/cost-model.md).",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
    )
    shape = cost["shape"]
    ax.set_title(
        f"Cost per million answers ({shape['output_tokens']} tokens at {shape['tokens_per_s']:g} tokens/s, us-east-1)"
    )
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    cost_png = directory / "cost.png"
    fig.savefig(cost_png, dpi=110)
    plt.close(fig)
    return [share_png, cost_png]
