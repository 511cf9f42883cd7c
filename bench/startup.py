"""Process start to ready: our runtime until its first ``GET /next``, uvicorn until it answers, bare boto3.

- Ours: ``functions/bootstrap <python> /var/runtime/bootstrap.py`` with the environment Lambda sets
  (``emulator.launcher.build_env``), against a tiny Runtime API stand-in that stamps the arrival of the first
  ``GET /2018-06-01/runtime/invocation/next`` (the end of the init phase) and never answers it.
- FastAPI + uvicorn: ``python -m uvicorn bench.fastapi_app:app`` until ``GET /healthz`` first answers (1 ms polls).
- Baseline: ``python -c "import boto3; boto3.client('bedrock-runtime', region_name='us-east-1')"`` until it writes
  one line after creating the client (interpreter shutdown excluded).

All three import boto3 and create one ``bedrock-runtime`` client; each start is a fresh process (warm page cache).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

from bench.paths import free_port, function_env, stop_process, uvicorn_command, uvicorn_env, wait_http_ready
from emulator.launcher import REPO_ROOT, FunctionConfig, build_argv, build_env

__all__ = ["BARE_BOTO3", "start_bare_boto3", "start_ours", "start_uvicorn"]

BARE_BOTO3 = "import boto3; boto3.client('bedrock-runtime', region_name='us-east-1')"
_TIMEOUT_S = 60.0


def _first_next(listener: socket.socket, stamp: list[int], polled: threading.Event) -> None:
    connection, _ = listener.accept()
    with connection:
        data = b""
        while b"\r\n\r\n" not in data:
            more = connection.recv(4096)
            if not more:
                return
            data += more
        if b"/runtime/invocation/next" in data.split(b"\r\n", 1)[0]:
            stamp.append(time.perf_counter_ns())
        polled.set()
        connection.recv(1)  # hold /next open until the process is stopped


def start_ours(bedrock_url: str) -> float:
    """Seconds from spawning the exec wrapper to the runtime's first ``GET /next``."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(_TIMEOUT_S)
        address = f"127.0.0.1:{listener.getsockname()[1]}"
        config = FunctionConfig(env=function_env(bedrock_url))
        env = build_env(config, address)
        stamp: list[int] = []
        polled = threading.Event()
        waiter = threading.Thread(target=_first_next, args=(listener, stamp, polled), daemon=True)
        waiter.start()
        started = time.perf_counter_ns()
        process = subprocess.Popen(
            build_argv(config), env=env, cwd=config.task_root, start_new_session=True, stderr=subprocess.DEVNULL
        )
        try:
            polled.wait(_TIMEOUT_S)
        finally:
            stop_process(process)
            waiter.join(5)
        if not stamp:
            raise RuntimeError(f"the runtime never polled /next (exit status {process.returncode})")
        return (stamp[0] - started) / 1e9


def start_uvicorn(bedrock_url: str) -> float:
    """Seconds from spawning uvicorn to the first answer of ``GET /healthz``."""
    port = free_port()
    started = time.perf_counter_ns()
    process = subprocess.Popen(
        uvicorn_command(port),
        env=uvicorn_env(bedrock_url),
        cwd=REPO_ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ready = wait_http_ready(("127.0.0.1", port), _TIMEOUT_S)
    finally:
        stop_process(process)
    return (ready - started) / 1e9


def start_bare_boto3(bedrock_url: str) -> float:
    """Seconds from spawning the bare boto3 script to its line after the client exists."""
    env = uvicorn_env(bedrock_url)
    code = BARE_BOTO3 + "; import sys; sys.stdout.write('ready\\n'); sys.stdout.flush()"
    started = time.perf_counter_ns()
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        ready = time.perf_counter_ns()
    finally:
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()
    if line.strip() != b"ready":
        raise RuntimeError(f"the bare boto3 baseline failed (exit status {process.returncode})")
    return (ready - started) / 1e9
