"""Smoke test of the CPU-share part: ``python -m bench --quick --part share`` at one memory size, end to end.

Nothing about speed is asserted; only that every measurement and the cost section are written, and that the run
leaves no cgroup behind. Needs root and a cgroup CPU controller (skipped with the reason otherwise).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cpu_quota import CgroupLayout, QuotaUnavailable, detect_layout

REPO = Path(__file__).resolve().parents[3]


def _bench_groups(layout: CgroupLayout, pid: int) -> list[str]:
    """Groups the bench process ``pid`` created and left (v1: under its own group; v2: under the root)."""
    prefix = f"bedrock-stream-bench-{pid}-"
    return sorted(p.name for p in {*layout.mount.iterdir(), *layout.own_dir.iterdir()} if p.name.startswith(prefix))


def test_quick_share_run_writes_every_measurement_and_the_cost_table(tmp_path: Path) -> None:
    try:
        layout = detect_layout()
    except QuotaUnavailable as reason:
        pytest.skip(str(reason))
    command = [sys.executable, "-m", "bench", "--quick", "--part", "share", "--memory-sizes", "1769"]
    with subprocess.Popen(
        [*command, "--output", str(tmp_path / "quick.json")],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        _, stderr = process.communicate(timeout=240)
    assert process.returncode == 0, stderr[-3000:]
    document = json.loads((tmp_path / "lambda_share.json").read_text(encoding="utf-8"))
    for path in ("ours", "fastapi_uvicorn"):
        (row,) = document["share"]["paths"][path]
        assert row["memory_mb"] == 1769
        assert row["quota_us"] == row["period_us"]
        assert row["cold_start_ms"]["median"] > 0
        assert row["warm_ttfb_ms"]["p50"] > 0
        assert row["sustainable_deltas_per_s"] is None or row["sustainable_deltas_per_s"] > 0
        assert row["ramp"]
        assert document["cost"]["paths"][path]["lmi"]
    assert document["share"]["load_average_at_start"]
    assert "Default memory: **1769 MB**" in (tmp_path / "cost.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["cost.png", "lambda_share.png"]
    assert _bench_groups(layout, process.pid) == []
