"""The measurements: TTFB, per-delta latency, throughput + CPU, peak RSS, start to ready.

Method (also in README "Performance"): every path reads the same replayed ConverseStream from one fake Bedrock in
this process. The fake stamps each frame right after writing it (``FakeBedrock.on_frame_sent``); the client stamps
each delta when its last byte arrives. All stamps are ``perf_counter_ns`` in this process, i.e. one clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import startup
from bench.paths import LimitPath, OursPath, Run, StreamPath, UvicornPath
from bench.procfs import peak_rss_bytes
from bench.scenario import FIRST_DELTA_FRAME, Scenario, write_replay
from bench.stats import percentile, spread
from emulator.fake_bedrock import FakeBedrock, split_frames

__all__ = ["Bench", "Plan"]

Log = Callable[[str], None]


class Plan:
    """Sizes and repetitions; ``quick`` is a smoke run of the harness, not a measurement."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.ttfb = Scenario("ttfb", 5, 20)
        self.ttfb_runs = 8 if quick else 60
        self.latency = Scenario("latency", 30 if quick else 150, 20, delay_ms=5)
        self.latency_runs = 2 if quick else 8
        self.small = Scenario("small", 300 if quick else 5000, 20)
        self.large = Scenario("large", 50 if quick else 800, 16_384)
        self.throughput_runs = 2 if quick else 5
        self.memory_small = Scenario("mem_1mb", 64 if quick else 256, 4096)
        self.memory_large = Scenario("mem_50mb", 640 if quick else 12_800, 4096)
        self.startup_runs = 2 if quick else 9
        self.warmup = 2 if quick else 5


class Bench:
    """Runs every measurement against one fake Bedrock; results are plain JSON-ready dicts."""

    def __init__(self, plan: Plan, workdir: Path, log: Log) -> None:
        self.plan = plan
        self.workdir = workdir
        self.log = log
        self.fake = FakeBedrock(mode="replay", replay_path=write_replay(plan.ttfb, workdir))
        self.sent_ns: list[int] = []

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _on_sent(self, index: int) -> None:
        self.sent_ns.append(time.perf_counter_ns())

    def _use(self, scenario: Scenario) -> None:
        self.fake.replay_frames = split_frames(write_replay(scenario, self.workdir).read_bytes())
        self.fake.token_delay_ms = scenario.delay_ms

    def _stream(self, path: StreamPath, scenario: Scenario) -> tuple[Run, list[int]]:
        self.sent_ns = []
        run = path.stream(scenario)
        return run, self.sent_ns[FIRST_DELTA_FRAME : FIRST_DELTA_FRAME + scenario.deltas]

    # -- measurements -----------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Everything, in an order that keeps the machine's load comparable between paths."""
        results: dict[str, Any] = {}
        self.fake.start()
        self.fake.on_frame_sent = self._on_sent
        try:
            paths: list[StreamPath] = []
            try:
                self.log("starting the three paths")
                paths = [LimitPath(self.fake.url), OursPath(self.fake.url), UvicornPath(self.fake.url)]
                self._use(self.plan.ttfb)
                for path in paths:
                    for _ in range(self.plan.warmup):
                        path.stream(self.plan.ttfb)
                results["ttfb"] = self.ttfb(paths)
                results["delta_latency"] = self.delta_latency(paths)
                results["throughput"] = {
                    "small": self.throughput(paths, self.plan.small),
                    "large": self.throughput(paths, self.plan.large),
                }
            finally:
                for path in paths:
                    path.close()
            results["memory"] = self.memory()
            results["startup"] = self.startup()
        finally:
            self.fake.on_frame_sent = None
            self.fake.stop()
        return results

    def ttfb(self, paths: Sequence[StreamPath]) -> dict[str, Any]:
        """Request start to first delta byte at the client, interleaved round-robin across paths."""
        self.log("time to first byte")
        self._use(self.plan.ttfb)
        samples: dict[str, list[float]] = {path.name: [] for path in paths}
        for _ in range(self.plan.ttfb_runs):
            for path in paths:
                run, _ = self._stream(path, self.plan.ttfb)
                samples[path.name].append((run.marks_ns[0] - run.started_ns) / 1e6)
        return _with_added(samples, unit="ms", scenario=self.plan.ttfb)

    def delta_latency(self, paths: Sequence[StreamPath]) -> dict[str, Any]:
        """Fake's send stamp to client arrival, for every delta of a paced stream."""
        scenario = self.plan.latency
        self.log(f"per-delta latency ({scenario.deltas} deltas every {scenario.delay_ms} ms)")
        self._use(scenario)
        samples: dict[str, list[float]] = {path.name: [] for path in paths}
        for _ in range(self.plan.latency_runs):
            for path in paths:
                run, sent = self._stream(path, scenario)
                samples[path.name].extend((got - out) / 1e6 for got, out in zip(run.marks_ns, sent, strict=True))
        return _with_added(samples, unit="ms", scenario=scenario)

    def throughput(self, paths: Sequence[StreamPath], scenario: Scenario) -> dict[str, Any]:
        """Unpaced stream: deltas/s and MB/s from request start to last byte; CPU time per 1,000 deltas."""
        self.log(f"throughput ({scenario.deltas} deltas of {scenario.size} bytes)")
        self._use(scenario)
        out: dict[str, Any] = {"scenario": _scenario(scenario)}
        for path in paths:
            rates, mbps, cpu = [], [], []
            for _ in range(self.plan.throughput_runs):
                run, _ = self._stream(path, scenario)
                seconds = (run.done_ns - run.started_ns) / 1e9
                rates.append(scenario.deltas / seconds)
                mbps.append(run.body_bytes / seconds / 1e6)
                cpu.append(run.cpu_s / scenario.deltas * 1000 * 1000)
            out[path.name] = {
                "deltas_per_s": spread(rates),
                "mb_per_s": spread(mbps),
                "cpu_ms_per_1000_deltas": spread(cpu),
            }
        limit = out["limit"]["deltas_per_s"]["median"]
        for path in paths:
            out[path.name]["ratio_to_limit"] = out[path.name]["deltas_per_s"]["median"] / limit
        return out

    def memory(self) -> dict[str, Any]:
        """Peak RSS (VmHWM) of a fresh function process after streaming ~1 MB, then ~50 MB."""
        small, large = self.plan.memory_small, self.plan.memory_large
        self.log(f"peak RSS ({small.total_bytes / 1e6:.1f} MB then {large.total_bytes / 1e6:.1f} MB)")
        out: dict[str, Any] = {"small": _scenario(small), "large": _scenario(large)}
        for factory in (OursPath, UvicornPath):
            path: StreamPath = factory(self.fake.url)
            try:
                pid = path.pid
                assert pid is not None
                self._use(self.plan.ttfb)
                path.stream(self.plan.ttfb)
                idle = peak_rss_bytes(pid)
                self._use(small)
                path.stream(small)
                after_small = peak_rss_bytes(pid)
                self._use(large)
                path.stream(large)
                after_large = peak_rss_bytes(pid)
            finally:
                path.close()
            out[path.name] = {
                "peak_rss_idle_bytes": idle,
                "peak_rss_small_bytes": after_small,
                "peak_rss_large_bytes": after_large,
                "growth_bytes": after_large - after_small,
            }
        return out

    def startup(self) -> dict[str, Any]:
        """Process start to ready, alternating the three kinds of process each round."""
        self.log(f"start to ready ({self.plan.startup_runs} rounds)")
        kinds = {
            "bare_boto3": startup.start_bare_boto3,
            "ours": startup.start_ours,
            "fastapi_uvicorn": startup.start_uvicorn,
        }
        samples: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(self.plan.startup_runs):
            for name, start in kinds.items():
                samples[name].append(start(self.fake.url) * 1000)
        out: dict[str, Any] = {name: spread(values) for name, values in samples.items()}
        out["unit"] = "ms"
        out["samples"] = samples
        base = out["bare_boto3"]["median"]
        out["ratio_to_bare_boto3"] = {name: out[name]["median"] / base for name in kinds}
        return out


def _scenario(scenario: Scenario) -> dict[str, Any]:
    return {"deltas": scenario.deltas, "delta_bytes": scenario.size, "delay_ms": scenario.delay_ms}


def _with_added(samples: dict[str, list[float]], *, unit: str, scenario: Scenario) -> dict[str, Any]:
    """Per path: p50/p99 and spread; plus the added p50/p99 over the limit path."""
    out: dict[str, Any] = {"unit": unit, "scenario": _scenario(scenario)}
    limit = samples["limit"]
    for name, values in samples.items():
        out[name] = {
            "p50": percentile(values, 50),
            "p99": percentile(values, 99),
            "spread": spread(values),
            "added_p50": percentile(values, 50) - percentile(limit, 50),
            "added_p99": percentile(values, 99) - percentile(limit, 99),
        }
    return out
