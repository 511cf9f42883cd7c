"""Our runtime and FastAPI + uvicorn under Lambda's CPU share for a memory size (``bench.cpu_quota``).

For each memory size and each path, a fresh cgroup with the quota ``period x memory / 1769`` holds only the process
under test (and its children); the Function URL / Runtime API emulator, the fake Bedrock and the client stay in this
process, outside the group. Per size and path:

- **cold start**: spawning the process (inside the group from its first instruction) to the first body byte of the
  first answer, with the request sent at once (ours: the emulator queues it until the runtime's first ``/next``;
  uvicorn: the client connects as soon as the port accepts, as the Lambda Web Adapter would forward it);
- **warm TTFB**: request start to the first body byte, on the warm process, fake Bedrock answering at once, each
  request after an idle gap of two CFS periods (also recorded: back to back, where the previous answer's tail may
  have spent the period's quota);
- **CPU per delta**: the process's user + system time (``/proc/<pid>/stat``) over the paced streams it kept up
  with, less the CPU of a short answer per stream, divided by the deltas streamed;
- **sustainable deltas/s**: the fake Bedrock streams deltas at a fixed rate (``ScriptedReply.interval_s``, one delta
  per piece on an absolute schedule); the rate doubles until the output falls behind, then is bisected twice.
  A rate is *sustained* when the last delta reaches the client no later than ``one CFS period + 5 %`` of the stream's
  scheduled length after its schedule, measured from the first delta's arrival: a throttled process may pause up
  to one period and catch up, but a backlog that grows through the stream fails. The harness itself (fake + client
  in this process) has a ceiling: rates above ``max_rate`` are not tried, and a path reaching it is reported capped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from bench import procfs
from bench.cpu_quota import DEFAULT_PERIOD_US, CpuQuotaGroup, QuotaUnavailable, detect_layout, quota_us
from bench.http_client import StreamResult, post_stream
from bench.paths import LimitPath, free_port, function_env, stop_process, uvicorn_command, uvicorn_env
from bench.scenario import Scenario, delta_text
from bench.stats import percentile, spread
from emulator import LocalLambda
from emulator.eventstream import event_frame
from emulator.fake_bedrock import FakeBedrock
from emulator.fake_bedrock.scripted import ScriptedReply
from emulator.launcher import FunctionConfig, app_defaults, build_argv

__all__ = ["MEMORY_SIZES", "SharePlan", "run_share"]

Log = Callable[[str], None]

MEMORY_SIZES = (128, 256, 512, 1024, 1769)
_REQUEST = json.dumps({"prompt": "bench", "max_tokens": 100000}).encode()
_HEADERS = {"Content-Type": "application/json", "Accept": "text/plain", "Connection": "close"}
_DELTA_BYTES = 20
_TTFB_DELTAS = 5


@dataclass(frozen=True, slots=True)
class SharePlan:
    """Sizes, repetitions and ramp settings; ``quick`` shortens everything (a harness check, not a measurement)."""

    quick: bool = False
    memory_sizes: tuple[int, ...] = MEMORY_SIZES
    period_us: int = DEFAULT_PERIOD_US

    @property
    def cold_runs(self) -> int:
        return 1 if self.quick else 3

    @property
    def warm_runs(self) -> int:
        return 5 if self.quick else 20

    @property
    def step_s(self) -> float:
        """Scheduled length of one ramp stream."""
        return 1.0 if self.quick else 2.0

    @property
    def start_rate(self) -> int:
        return 100

    @property
    def max_rate(self) -> int:
        return 3200 if self.quick else 12800

    @property
    def bisections(self) -> int:
        return 1 if self.quick else 2

    @property
    def typical_rate(self) -> int:
        """The model rate of the cost model's typical answer (50 tokens/s, one token per delta)."""
        return 50

    @property
    def typical_deltas(self) -> int:
        return 100 if self.quick else 250


# -- the fake Bedrock's paced stream ------------------------------------------------------------------------------


def paced_reply(deltas: int, rate: float) -> ScriptedReply:
    """A ConverseStream body of ``deltas`` text deltas, one per piece, ``rate`` pieces a second (0: unpaced)."""
    pieces = [
        event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": delta_text(k, _DELTA_BYTES)}}, None)
        for k in range(deltas)
    ]
    pieces[0] = event_frame("messageStart", {"role": "assistant"}, None) + pieces[0]
    usage = {"inputTokens": 1, "outputTokens": deltas, "totalTokens": deltas + 1}
    pieces[-1] += (
        event_frame("contentBlockStop", {"contentBlockIndex": 0}, None)
        + event_frame("messageStop", {"stopReason": "end_turn"}, None)
        + event_frame("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}, None)
    )
    return ScriptedReply(pieces=pieces, interval_s=1 / rate if rate else 0.0)


class _Script:
    """The reply the fake Bedrock gives next (set before each request)."""

    def __init__(self) -> None:
        self.reply = paced_reply(_TTFB_DELTAS, 0)

    def __call__(self, _request: object) -> ScriptedReply:
        return self.reply


# -- the processes under test -------------------------------------------------------------------------------------


class _Function(Protocol):
    name: str

    @property
    def pid(self) -> int: ...

    @property
    def address(self) -> tuple[str, int]: ...

    def close(self) -> None: ...


class _Ours:
    """Our runtime behind the local Function URL; the function process starts inside ``group``."""

    name = "ours"

    def __init__(self, group: CpuQuotaGroup, bedrock_url: str, memory_mb: int) -> None:
        config = FunctionConfig()
        env = {**app_defaults(), **function_env(bedrock_url)}
        # what build_env adds for the default command, which a custom command does not get
        env["AWS_LAMBDA_EXEC_WRAPPER"] = str(config.task_root / "bootstrap")
        env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}"
        self._lambda = LocalLambda(
            command=group.command(build_argv(config)),
            env=env,
            memory=memory_mb,
            timeout=900,
            init_timeout=300,
            wait_ready=False,
        ).start()
        host, port = self._lambda.url.removeprefix("http://").rsplit(":", 1)
        self._address = (host, int(port))

    @property
    def pid(self) -> int:
        pids = self._lambda.pids
        if not pids:
            raise RuntimeError("the function process is not running")
        return pids[0]

    @property
    def address(self) -> tuple[str, int]:
        return self._address

    def close(self) -> None:
        self._lambda.stop()


class _Uvicorn:
    """FastAPI + uvicorn in its own process, started inside ``group``."""

    name = "fastapi_uvicorn"

    def __init__(self, group: CpuQuotaGroup, bedrock_url: str, memory_mb: int) -> None:
        port = free_port()
        self._address = ("127.0.0.1", port)
        self._process = subprocess.Popen(
            group.command(uvicorn_command(port)),
            env=uvicorn_env(bedrock_url),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_accepting(self._address, self._process, 300)
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def address(self) -> tuple[str, int]:
        return self._address

    def close(self) -> None:
        stop_process(self._process)


def _wait_accepting(address: tuple[str, int], process: subprocess.Popen[bytes], deadline_s: float) -> None:
    """Return as soon as ``address`` accepts a connection (1 ms between attempts; a refusal costs uvicorn nothing)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with status {process.returncode} before it listened")
        try:
            socket.create_connection(address, timeout=1).close()
            return
        except OSError:
            time.sleep(0.001)
    raise TimeoutError(f"nothing listened on {address} within {deadline_s} s")


_FACTORIES: dict[str, Callable[[CpuQuotaGroup, str, int], _Function]] = {"ours": _Ours, "fastapi_uvicorn": _Uvicorn}


# -- one path at one memory size ----------------------------------------------------------------------------------


def _post(function: _Function, deltas: int) -> StreamResult:
    result = post_stream(
        function.address, "/", _REQUEST, _HEADERS, Scenario("s", deltas, _DELTA_BYTES).thresholds(), timeout_s=300
    )
    if result.status != 200 or result.body_bytes != deltas * _DELTA_BYTES:
        raise RuntimeError(f"{function.name}: HTTP {result.status}, {result.body_bytes} bytes: {result.tail!r}")
    return result


@dataclass(slots=True)
class _Step:
    rate: float
    deltas: int
    sustained: bool
    final_lag_ms: float
    delivered_per_s: float
    cpu_s: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "deltas": self.deltas,
            "sustained": self.sustained,
            "final_lag_ms": self.final_lag_ms,
            "delivered_per_s": self.delivered_per_s,
            "cpu_s": self.cpu_s,
        }


def judge_step(marks_ns: list[int], rate: float, period_us: int, cpu_s: float = 0.0) -> _Step:
    """Whether a stream paced at ``rate`` was kept up with, from the client's arrival stamps of every delta."""
    deltas = len(marks_ns)
    scheduled_s = (deltas - 1) / rate
    taken_s = (marks_ns[-1] - marks_ns[0]) / 1e9
    lag_s = taken_s - scheduled_s
    tolerance_s = period_us / 1e6 + 0.05 * scheduled_s
    return _Step(rate, deltas, lag_s <= tolerance_s, lag_s * 1000, (deltas - 1) / max(taken_s, 1e-9), cpu_s)


def harness_ceiling(plan: SharePlan, fake: FakeBedrock, script: _Script, log: Log) -> float:
    """The highest doubling-ramp rate boto3 in this process reads from the fake Bedrock (no function, no quota)."""
    path = LimitPath(fake.url)
    try:
        rate, best = float(plan.start_rate), 0.0
        while rate <= plan.max_rate:
            deltas = max(50, round(rate * plan.step_s))
            script.reply = paced_reply(deltas, rate)
            run = path.stream(Scenario("ceiling", deltas, _DELTA_BYTES))
            if not judge_step(run.marks_ns, rate, plan.period_us).sustained:
                break
            best, rate = rate, rate * 2
    finally:
        path.close()
    log(f"harness ceiling (fake Bedrock -> boto3 in this process): {best:.0f} deltas/s")
    return best or float(plan.start_rate)


def boto3_floor_us_per_delta(plan: SharePlan, fake: FakeBedrock, script: _Script) -> float:
    """CPU per delta of boto3 alone (a thread of this process, no quota) reading the typical paced stream."""
    path = LimitPath(fake.url)
    try:
        script.reply = paced_reply(plan.typical_deltas, plan.typical_rate)
        run = path.stream(Scenario("floor", plan.typical_deltas, _DELTA_BYTES))
    finally:
        path.close()
    return run.cpu_s / plan.typical_deltas * 1e6


class _Session:
    """Measurements on one path at one memory size (one cgroup)."""

    def __init__(self, plan: SharePlan, script: _Script, bedrock_url: str, name: str, memory_mb: int) -> None:
        self.plan, self.script, self.bedrock_url, self.name, self.memory_mb = plan, script, bedrock_url, name, memory_mb
        self.max_rate: float = plan.max_rate
        self.capped = False
        """Set by :meth:`ramp`: every doubling up to ``max_rate`` was sustained (no failing rate found)."""

    def cold(self, group: CpuQuotaGroup) -> tuple[float, _Function]:
        """Spawn to first body byte of the first answer, in ms; returns the warm process."""
        self.script.reply = paced_reply(_TTFB_DELTAS, 0)
        started = time.perf_counter_ns()
        function = _FACTORIES[self.name](group, self.bedrock_url, self.memory_mb)
        try:
            result = _post(function, _TTFB_DELTAS)
        except BaseException:
            function.close()
            raise
        return (result.first_byte_ns - started) / 1e6, function

    def warm(self, function: _Function) -> tuple[list[float], list[float], float]:
        """Warm TTFB in ms after an idle gap and back to back, and the CPU seconds of one short answer.

        After an idle gap of two CFS periods each request starts with a full quota, as a chat request usually does;
        back to back, the previous answer's tail (logs, metrics, the next ``/next``) may have spent the period's
        quota already, so the first byte waits for the next period.
        """
        self.script.reply = paced_reply(_TTFB_DELTAS, 0)
        _post(function, _TTFB_DELTAS)
        cpu = procfs.cpu_seconds(function.pid)
        busy = []
        for _ in range(self.plan.warm_runs):
            result = _post(function, _TTFB_DELTAS)
            busy.append((result.first_byte_ns - result.started_ns) / 1e6)
        cpu_per_answer = (procfs.cpu_seconds(function.pid) - cpu) / self.plan.warm_runs
        idle = []
        for _ in range(self.plan.warm_runs):
            time.sleep(2 * self.plan.period_us / 1e6)
            result = _post(function, _TTFB_DELTAS)
            idle.append((result.first_byte_ns - result.started_ns) / 1e6)
        return idle, busy, cpu_per_answer

    def step(self, function: _Function, rate: float, deltas: int = 0) -> _Step:
        deltas = deltas or max(50, round(rate * self.plan.step_s))
        self.script.reply = paced_reply(deltas, rate)
        cpu = procfs.cpu_seconds(function.pid)
        result = _post(function, deltas)
        cpu = procfs.cpu_seconds(function.pid) - cpu
        return judge_step(result.marks_ns, rate, self.plan.period_us, cpu)

    def typical(self, function: _Function) -> tuple[float, int]:
        """CPU seconds and deltas of one answer streamed at the typical model rate (every delta on its own)."""
        step = self.step(function, self.plan.typical_rate, self.plan.typical_deltas)
        return step.cpu_s, step.deltas

    def ramp(self, function: _Function) -> list[_Step]:
        """Double the rate until a stream falls behind (twice in a row: one retry absorbs a noisy neighbour), then
        bisect (geometric midpoints) between the last sustained rate and the first failed one."""
        steps: list[_Step] = []

        def sustained(rate: float) -> bool:
            for _ in range(2):
                steps.append(self.step(function, rate))
                if steps[-1].sustained:
                    return True
            return False

        low, high, rate = 0.0, 0.0, float(self.plan.start_rate)
        while rate <= self.max_rate:
            if not sustained(rate):
                high = rate
                break
            low, rate = rate, rate * 2
        self.capped = not high
        if high:
            low = low or self.plan.start_rate / 4
            for _ in range(self.plan.bisections):
                middle = round((low * high) ** 0.5)
                low, high = (middle, high) if sustained(middle) else (low, middle)
        return steps


def _measure(
    plan: SharePlan, script: _Script, bedrock_url: str, name: str, memory_mb: int, max_rate: float, log: Log
) -> dict[str, Any]:
    session = _Session(plan, script, bedrock_url, name, memory_mb)
    colds: list[float] = []
    with CpuQuotaGroup.for_memory(memory_mb, plan.period_us) as group:
        function: _Function | None = None
        try:
            for run in range(plan.cold_runs):
                if function is not None:
                    function.close()
                    function = None
                cold_ms, function = session.cold(group)
                colds.append(cold_ms)
                log(f"  {name} @ {memory_mb} MB: cold start {cold_ms:.0f} ms (run {run + 1})")
            assert function is not None
            rss = procfs.peak_rss_bytes(function.pid)
            ttfb, ttfb_busy, cpu_per_answer = session.warm(function)
            typical_cpu_s, typical_deltas = session.typical(function)
            session.max_rate = max_rate
            steps = session.ramp(function)
            throttling = group.throttling()
        finally:
            if function is not None:
                function.close()
    sustained = [s for s in steps if s.sustained]
    best = max((s.rate for s in sustained), default=None)
    per_delta_us = max(0.0, typical_cpu_s - cpu_per_answer) / typical_deltas * 1e6
    top = max(sustained, key=lambda s: s.rate, default=None)
    top_per_delta_us = max(0.0, top.cpu_s - cpu_per_answer) / top.deltas * 1e6 if top else None
    log(
        f"  {name} @ {memory_mb} MB: warm TTFB p50 {percentile(ttfb, 50):.1f} ms "
        f"({percentile(ttfb_busy, 50):.1f} ms back to back), sustained {best} deltas/s, "
        f"CPU/delta {per_delta_us:.0f} us at {plan.typical_rate}/s"
    )
    return {
        "memory_mb": memory_mb,
        "quota_us": quota_us(memory_mb, plan.period_us),
        "period_us": plan.period_us,
        "cold_start_ms": spread(colds),
        "cold_start_samples_ms": colds,
        "warm_ttfb_ms": {"p50": percentile(ttfb, 50), "p99": percentile(ttfb, 99), "spread": spread(ttfb)},
        "warm_ttfb_back_to_back_ms": {
            "p50": percentile(ttfb_busy, 50),
            "p99": percentile(ttfb_busy, 99),
            "spread": spread(ttfb_busy),
        },
        "cpu_ms_per_short_answer": cpu_per_answer * 1000,
        "cpu_us_per_delta": per_delta_us,
        "cpu_us_per_delta_at_top_rate": top_per_delta_us,
        "cpu_s_typical_stream": typical_cpu_s,
        "typical_stream": {"deltas": typical_deltas, "rate": plan.typical_rate},
        "sustainable_deltas_per_s": best,
        "capped_at_harness_ceiling": session.capped,
        "peak_rss_bytes": rss,
        "ramp": [s.as_dict() for s in steps],
        "cgroup_cpu_stat": throttling,
    }


@contextmanager
def _fake_bedrock() -> Iterator[tuple[FakeBedrock, _Script]]:
    script = _Script()
    fake = FakeBedrock()
    fake.responder = script
    fake.start()
    try:
        yield fake, script
    finally:
        fake.stop()


def run_share(plan: SharePlan, log: Log) -> dict[str, Any]:
    """Every memory size x path; a ``skipped`` reason instead when quotas cannot be applied here."""
    out: dict[str, Any] = {
        "method": __doc__,
        "plan": {
            "quick": plan.quick,
            "memory_sizes": list(plan.memory_sizes),
            "period_us": plan.period_us,
            "cold_runs": plan.cold_runs,
            "warm_runs": plan.warm_runs,
            "step_s": plan.step_s,
            "start_rate": plan.start_rate,
            "max_rate": plan.max_rate,
            "delta_bytes": _DELTA_BYTES,
        },
        "load_average_at_start": list(os.getloadavg()),
    }
    try:
        layout = detect_layout()
    except QuotaUnavailable as reason:
        log(f"Lambda CPU share: SKIPPED ({reason})")
        out["skipped"] = str(reason)
        return out
    out["cgroup"] = {"version": layout.version, "mount": str(layout.mount)}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in _FACTORIES}
    with _fake_bedrock() as (fake, script):
        ceiling = harness_ceiling(plan, fake, script, log)
        out["harness_ceiling_deltas_per_s"] = ceiling
        out["boto3_cpu_us_per_delta"] = boto3_floor_us_per_delta(plan, fake, script)
        log(f"boto3 alone at {plan.typical_rate} deltas/s: {out['boto3_cpu_us_per_delta']:.0f} us CPU per delta")
        for memory_mb in plan.memory_sizes:
            log(
                f"Lambda CPU share: {memory_mb} MB (quota {quota_us(memory_mb, plan.period_us)} of {plan.period_us} us)"
            )
            for name in _FACTORIES:
                results[name].append(_measure(plan, script, fake.url, name, memory_mb, ceiling, log))
    out["paths"] = results
    out["load_average_at_end"] = list(os.getloadavg())
    return out
