"""PNG charts of a results document (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = ["draw"]

_PATHS = ("limit", "ours", "fastapi_uvicorn")
_LABELS = ("limit\n(boto3 direct)", "ours\n(runtime)", "FastAPI +\nuvicorn")
_COLORS = ("#888888", "#1f77b4", "#ff7f0e")


def _bars(ax: Any, values: list[float], low: list[float], high: list[float], labels: tuple[str, ...]) -> None:
    errors = [[v - lo for v, lo in zip(values, low, strict=True)], [hi - v for v, hi in zip(values, high, strict=True)]]
    ax.bar(labels, values, yerr=errors, capsize=4, color=_COLORS[-len(values) :] if len(values) < 3 else _COLORS)
    ax.grid(axis="y", alpha=0.3)


def draw(results: dict[str, Any], directory: Path) -> list[Path]:
    """Write latency.png, throughput.png, startup.png and memory.png into ``directory``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, title in ((axes[0], "ttfb", "Time to first byte"), (axes[1], "delta_latency", "Per-delta latency")):
        data = results[key]
        p50 = [data[p]["p50"] for p in _PATHS]
        p99 = [data[p]["p99"] for p in _PATHS]
        x = range(len(_PATHS))
        ax.bar([i - 0.2 for i in x], p50, width=0.4, label="p50", color="#1f77b4")
        ax.bar([i + 0.2 for i in x], p99, width=0.4, label="p99", color="#aec7e8")
        ax.set_xticks(list(x), _LABELS)
        ax.set_ylabel("ms")
        ax.set_title(title)
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
    written.append(_save(fig, directory / "latency.png"))

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key in zip(axes, ("small", "large"), strict=True):
        data = results["throughput"][key]
        metric = "deltas_per_s" if key == "small" else "mb_per_s"
        s = [data[p][metric] for p in _PATHS]
        _bars(ax, [v["median"] for v in s], [v["p25"] for v in s], [v["p75"] for v in s], _LABELS)
        size = data["scenario"]["delta_bytes"]
        ax.set_title(f"Throughput, {size} B deltas" + (" (deltas/s)" if key == "small" else " (MB/s)"))
    written.append(_save(fig, directory / "throughput.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    start = results["startup"]
    kinds = ("bare_boto3", "ours", "fastapi_uvicorn")
    s = [start[k] for k in kinds]
    _bars(
        ax,
        [v["median"] for v in s],
        [v["p25"] for v in s],
        [v["p75"] for v in s],
        ("bare boto3\n+ client", *_LABELS[1:]),
    )
    ax.axhline(start["bare_boto3"]["median"] * 1.2, color="red", linestyle="--", label="1.2x bare boto3 budget")
    ax.set_ylabel("ms")
    ax.set_title("Process start to ready")
    ax.legend()
    written.append(_save(fig, directory / "startup.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    memory = results["memory"]
    x = range(2)
    for offset, key, color in ((-0.2, "small", "#aec7e8"), (0.2, "large", "#1f77b4")):
        mb = memory[key]["deltas"] * memory[key]["delta_bytes"] / 1e6
        values = [memory[p][f"peak_rss_{key}_bytes"] / 1e6 for p in _PATHS[1:]]
        ax.bar([i + offset for i in x], values, width=0.4, label=f"after {mb:.0f} MB", color=color)
    ax.set_xticks(list(x), _LABELS[1:])
    ax.set_ylabel("peak RSS (VmHWM), MB")
    ax.set_title("Function process peak RSS")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    written.append(_save(fig, directory / "memory.png"))
    return written


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
