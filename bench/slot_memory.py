"""Memory per Lambda Managed Instances slot: one forked worker process per slot (what the runtime does) vs a thread.

``python -m bench.slot_memory [--slots N] [--requests R]`` starts the real app (``bedrock_stream.handler.handle``)
through functions/bootstrap in the emulator's Managed Instances mode (``max_concurrency=N``, fake Bedrock stub),
streams R requests over the local Function URL so the workers have served (boto3 clients built, first invocation
done), then reads ``/proc/<pid>/smaps_rollup`` (proc(5)) of the supervisor and of each worker:

- USS (``Private_Clean + Private_Dirty``): what the worker costs on its own; the number to multiply by the slots;
- PSS: the worker's share when pages forked from the supervisor are split between all processes;
- RSS, for comparison with what ``ps`` shows.

For the thread alternative it runs, in a fresh interpreter, the same init (import the app's handler), then parks
``N`` threads in a blocking socket read (as a ``/next`` long-poll would) and reports the USS growth per thread. It
prints one JSON document; nothing here is a test (no speed or size is asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from emulator import BedrockOptions, LocalLambda

ROOT = Path(__file__).resolve().parents[1]
_FIELDS = ("Rss", "Pss", "Private_Clean", "Private_Dirty")
_THREAD_PROBE = r"""
import json, os, socket, sys, threading
sys.path.insert(0, sys.argv[1])
def uss():
    values = {}
    with open(f"/proc/{os.getpid()}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0].rstrip(":") in ("Private_Clean", "Private_Dirty"):
                values[parts[0]] = int(parts[1])
    return sum(values.values())
import bedrock_stream.handler  # the same init as one worker
before = uss()
pairs = [socket.socketpair() for _ in range(int(sys.argv[2]))]
threads = [threading.Thread(target=a.recv, args=(1,), daemon=True) for a, _ in pairs]
for t in threads:
    t.start()
after = uss()
print(json.dumps({"init_uss_kib": before, "per_thread_kib": (after - before) / len(threads)}))
for _, b in pairs:
    b.send(b"x")
"""


def smaps_kib(pid: int) -> dict[str, int]:
    """The ``smaps_rollup`` fields of ``pid`` that matter here, in KiB."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            parts = line.split()
            if parts and parts[0].rstrip(":") in _FIELDS:
                out[parts[0].rstrip(":")] = int(parts[1])
    return {"rss": out["Rss"], "pss": out["Pss"], "uss": out["Private_Clean"] + out["Private_Dirty"]}


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
        return [int(item) for item in listing.read().split()]


def _stream(url: str, index: int, results: list[int]) -> None:
    body = {"messages": [{"role": "user", "content": f"hello {index}"}]}
    with httpx.Client(timeout=60) as client, client.stream("POST", f"{url}/v1/chat/completions", json=body) as resp:
        for _ in resp.iter_raw():
            pass
        results.append(resp.status_code)


def measure_processes(slots: int, requests: int) -> dict[str, Any]:
    """Start the app with ``slots`` workers, serve ``requests`` streams at once, and read every process's memory."""
    bedrock = BedrockOptions("stub", None, 0, 5)
    with LocalLambda(concurrency=1, max_concurrency=slots, bedrock=bedrock, memory=2048) as emulator:
        statuses: list[int] = []
        threads = [threading.Thread(target=_stream, args=(emulator.url, i, statuses)) for i in range(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        (supervisor,) = emulator.pids
        workers = children(supervisor)
        per_worker = [smaps_kib(pid) for pid in workers]
        top = smaps_kib(supervisor)
    return {
        "slots": slots,
        "requests_ok": statuses.count(200),
        "supervisor_kib": top,
        "workers_kib": per_worker,
        "worker_uss_kib_mean": sum(w["uss"] for w in per_worker) / len(per_worker),
        "worker_pss_kib_mean": sum(w["pss"] for w in per_worker) / len(per_worker),
        "environment_pss_kib": top["pss"] + sum(w["pss"] for w in per_worker),
    }


def measure_threads(slots: int) -> dict[str, Any]:
    """The same init in one interpreter, then ``slots`` parked threads: USS per thread."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "BEDROCK_STREAM_MODELS": "amazon.nova-micro-v1:0",
    }
    done = subprocess.run(
        [sys.executable, "-c", _THREAD_PROBE, str(ROOT / "functions"), str(slots)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and print them as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.slot_memory", description=__doc__)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--requests", type=int, default=12)
    args = parser.parse_args(argv)
    result = {"processes": measure_processes(args.slots, args.requests), "threads": measure_threads(args.slots)}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
