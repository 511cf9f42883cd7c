"""``python -m bench [--quick] [--part all|paths|share] [--output PATH]``: measure, write JSON + PNG charts.

The full run writes ``bench/results/latest.json`` and the charts beside it (part ``paths``), then runs the function
under Lambda's CPU share per memory size and the cost model (part ``share``: ``lambda_share.json``, ``cost.md``,
``lambda_share.png``, ``cost.png`` in the same folder; see docs/cost-model.md). ``--quick`` is a CI smoke check of the
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

from bench.lambda_share import MEMORY_SIZES
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
    parser.add_argument("--part", choices=("all", "paths", "share"), default="all", help="which measurements")
    parser.add_argument(
        "--memory-sizes",
        type=int,
        nargs="+",
        default=list(MEMORY_SIZES),
        metavar="MB",
        help="Lambda memory sizes for the CPU-share part (default: %(default)s)",
    )
    parser.add_argument(
        "--render-share",
        type=Path,
        metavar="JSON",
        help="measure nothing: recompute the cost model from a lambda_share.json, rewrite cost.md and charts beside it",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        output: Path = args.output or (Path(scratch) / "quick.json" if args.quick else RESULTS / "latest.json")
        if args.render_share is not None:
            _rerender(args.render_share, not args.no_charts)
            return 0
        if args.part in ("all", "share"):
            _share(args.quick, output.parent, not args.no_charts, tuple(args.memory_sizes))
        if args.part == "share":
            return 0
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


def _share(quick: bool, directory: Path, charts: bool, memory_sizes: tuple[int, ...]) -> None:
    """The Lambda CPU-share measurements and the cost model: lambda_share.json and cost.md (+ charts)."""
    from bench.cost_report import cost_section
    from bench.lambda_share import SharePlan, run_share

    started = time.monotonic()
    machine = describe()
    share = run_share(SharePlan(quick=quick, memory_sizes=memory_sizes), _log)
    share.update({"date": machine["date"], "cpu_model": machine["cpu_model"], "machine": machine})
    document: dict[str, Any] = {"mode": "quick" if quick else "full", "share": share}
    if "skipped" not in share:
        document["cost"] = cost_section(share)
    document["wall_time_s"] = time.monotonic() - started
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "lambda_share.json"
    target.write_text(json.dumps(_finite(document), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    _log(f"wrote {target} in {document['wall_time_s']:.0f} s")
    _render(document, directory, charts)


def _render(document: dict[str, Any], directory: Path, charts: bool) -> None:
    """cost.md and the charts from a lambda_share.json document."""
    from bench.cost_report import markdown

    share = document["share"]
    if "cost" not in document:
        _log(f"no cost table: {share['skipped']}")
        return
    table_md = markdown(share, document["cost"])
    (directory / "cost.md").write_text(table_md, encoding="utf-8")
    if charts:
        from bench.share_charts import draw_share

        for chart in draw_share(document["cost"], directory):
            _log(f"wrote {chart}")
    print(table_md)


def _rerender(path: Path, charts: bool) -> None:
    """Recompute the cost section of ``path`` (prices or rule changed) and rewrite it, cost.md and the charts."""
    from bench.cost_report import cost_section

    document = json.loads(path.read_text(encoding="utf-8"))
    if "skipped" not in document["share"]:
        document["cost"] = cost_section(document["share"])
    path.write_text(json.dumps(_finite(document), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    _render(document, path.parent, charts)


if __name__ == "__main__":
    sys.exit(main())
