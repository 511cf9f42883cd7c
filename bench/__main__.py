"""``python -m bench [--quick] [--output PATH]``: run every measurement, write JSON + PNG charts, print a table.

The full run writes ``bench/results/latest.json`` and the charts beside it. ``--quick`` is a CI smoke check of the
harness (small sizes, few repeats, under a minute); it asserts nothing about speed and, unless ``--output`` is given,
writes into a temporary directory so it never replaces the committed results.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe
from bench.measure import Bench, Plan
from bench.report import judge, table

RESULTS = Path(__file__).resolve().parent / "results"


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _finite(value: Any) -> Any:
    """NaN/inf as null so the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run of the harness (small, few repeats)")
    parser.add_argument("--output", type=Path, help="results JSON path (default: bench/results/latest.json)")
    parser.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        output: Path = args.output or (Path(scratch) / "quick.json" if args.quick else RESULTS / "latest.json")
        started = time.monotonic()
        document: dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": describe()}
        _log(f"machine: {document['machine']['cpu_model']}, load {document['machine']['load_average_at_start']}")
        document.update(Bench(Plan(args.quick), Path(scratch), _log).run())
        document["targets"] = judge(document)
        document["wall_time_s"] = time.monotonic() - started
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(_finite(document), indent=2, allow_nan=False) + "\n", encoding="utf-8")
        if not args.no_charts:
            from bench.charts import draw  # matplotlib only when charts are wanted

            for chart in draw(document, output.parent):
                _log(f"wrote {chart}")
        _log(f"wrote {output} in {document['wall_time_s']:.0f} s")
        print(table(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
