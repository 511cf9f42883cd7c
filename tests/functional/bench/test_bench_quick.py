"""Smoke test of the benchmark harness: ``python -m bench --quick`` runs end to end and writes valid JSON.

Nothing about speed is asserted (timed assertions do not belong in tests); only that every section is present.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SECTIONS = ("machine", "ttfb", "delta_latency", "throughput", "memory", "startup", "targets")


def test_quick_bench_writes_complete_json(tmp_path: Path) -> None:
    output = tmp_path / "quick.json"
    latest = REPO / "bench" / "results" / "latest.json"
    before = latest.read_bytes() if latest.exists() else None
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--part", "paths", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["mode"] == "quick"
    for section in SECTIONS:
        assert section in document, section
    for path in ("limit", "ours", "fastapi_uvicorn"):
        assert document["ttfb"][path]["p50"] > 0
        assert document["throughput"]["small"][path]["deltas_per_s"]["median"] > 0
    assert {t["target"] for t in document["targets"]}
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "latency.png",
        "memory.png",
        "startup.png",
        "throughput.png",
    ]
    assert (latest.read_bytes() if latest.exists() else None) == before
