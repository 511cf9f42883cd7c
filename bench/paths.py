"""The three streaming paths measured side by side, all reading the same fake Bedrock.

- :class:`LimitPath`: boto3 ``converse_stream`` against the fake Bedrock in this process (no Lambda, no HTTP hop).
- :class:`OursPath`: HTTP client -> local Function URL -> Runtime API -> our runtime process (``functions/bootstrap``)
  -> ``bedrock_stream.handler.handle`` -> boto3 -> fake Bedrock, via ``emulator.LocalLambda``.
- :class:`UvicornPath`: HTTP client -> uvicorn (own process) -> FastAPI ``StreamingResponse`` -> the same application
  -> boto3 -> fake Bedrock (``bench.fastapi_app``).

Each :meth:`stream` returns a :class:`Run` with ``perf_counter_ns`` stamps of the request start and of the arrival of
every delta, taken in this process (the fake Bedrock runs here too, so its send stamps share the clock).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3
from botocore.config import Config

from bench import procfs
from bench.http_client import post_stream
from bench.scenario import Scenario
from emulator import LocalLambda
from emulator.launcher import FAKE_CREDENTIALS, REPO_ROOT
from emulator.sandbox import kill_group

__all__ = [
    "MODEL_ID",
    "LimitPath",
    "OursPath",
    "Run",
    "StreamPath",
    "UvicornPath",
    "free_port",
    "function_env",
    "stop_process",
    "uvicorn_command",
    "uvicorn_env",
    "wait_http_ready",
]

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
REGION = "us-east-1"
_REQUEST = json.dumps({"prompt": "bench", "max_tokens": 4096}).encode()
_HEADERS = {"Content-Type": "application/json", "Accept": "text/plain", "Connection": "close"}


@dataclass(slots=True)
class Run:
    """One streamed answer: request start, per-delta arrival stamps, end, bytes and CPU used by the function."""

    started_ns: int
    marks_ns: list[int]
    done_ns: int
    body_bytes: int
    cpu_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class StreamPath(Protocol):
    """A way to get the scripted answer to a client."""

    name: str

    @property
    def pid(self) -> int | None: ...

    def cpu_seconds(self) -> float: ...

    def stream(self, scenario: Scenario) -> Run: ...

    def close(self) -> None: ...


def function_env(bedrock_url: str) -> dict[str, str]:
    """The application's environment: the model list and boto3's standard endpoint override."""
    return {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock_url,
        "BEDROCK_STREAM_MODELS": MODEL_ID,
        "BEDROCK_STREAM_MAX_TOKENS_CAP": "1000000",
        "AWS_REGION": REGION,
    }


def _check(run: Run, scenario: Scenario, name: str) -> Run:
    if run.body_bytes != scenario.total_bytes or len(run.marks_ns) != scenario.deltas:
        raise RuntimeError(
            f"{name}: expected {scenario.deltas} deltas / {scenario.total_bytes} bytes, "
            f"got {len(run.marks_ns)} / {run.body_bytes}"
        )
    return run


class LimitPath:
    """boto3 consuming the fake Bedrock directly: the floor every other path is compared with."""

    name = "limit"

    def __init__(self, bedrock_url: str) -> None:
        config = Config(
            connect_timeout=5,
            read_timeout=120,
            retries={"mode": "standard", "total_max_attempts": 3},
            tcp_keepalive=True,
        )
        session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )
        self._client = session.client("bedrock-runtime", endpoint_url=bedrock_url, config=config)

    @property
    def pid(self) -> int | None:
        return None

    def cpu_seconds(self) -> float:
        """CPU time of the consuming thread only (the fake Bedrock's threads are not counted)."""
        return time.thread_time()

    def stream(self, scenario: Scenario) -> Run:
        started = time.perf_counter_ns()
        cpu = time.thread_time()
        response = self._client.converse_stream(
            modelId=MODEL_ID, messages=[{"role": "user", "content": [{"text": "bench"}]}]
        )
        marks: list[int] = []
        size = 0
        for event in response["stream"]:
            delta = event.get("contentBlockDelta")
            if delta is not None:
                marks.append(time.perf_counter_ns())
                size += len(delta["delta"]["text"])
        run = Run(started, marks, time.perf_counter_ns(), size, cpu_s=time.thread_time() - cpu)
        return _check(run, scenario, self.name)

    def close(self) -> None:
        self._client.close()


class _HttpPath:
    name = "http"
    _address: tuple[str, int]

    @property
    def pid(self) -> int | None:
        raise NotImplementedError

    def cpu_seconds(self) -> float:
        pid = self.pid
        return procfs.cpu_seconds(pid) if pid is not None else 0.0

    def stream(self, scenario: Scenario) -> Run:
        cpu = self.cpu_seconds()
        result = post_stream(self._address, "/", _REQUEST, _HEADERS, scenario.thresholds())
        if result.status != 200:
            raise RuntimeError(f"{self.name}: HTTP {result.status}: {result.tail!r}")
        run = Run(result.started_ns, result.marks_ns, result.done_ns, result.body_bytes)
        run.cpu_s = self.cpu_seconds() - cpu
        return _check(run, scenario, self.name)


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    return host, int(port)


class OursPath(_HttpPath):
    """Our runtime behind the local Function URL and Runtime API (``emulator.LocalLambda``, one function process)."""

    name = "ours"

    def __init__(self, bedrock_url: str) -> None:
        self._lambda = LocalLambda(env=function_env(bedrock_url), timeout=900, init_timeout=60).start()
        self._address = _address(self._lambda.url)

    @property
    def pid(self) -> int | None:
        pids = self._lambda.pids
        return pids[0] if pids else None

    def close(self) -> None:
        self._lambda.stop()


def free_port() -> int:
    """An ephemeral loopback port that was free a moment ago (uvicorn binds it itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn_command(port: int) -> list[str]:
    """The uvicorn process serving ``bench.fastapi_app`` (one worker, default event loop and HTTP parser)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.fastapi_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def uvicorn_env(bedrock_url: str) -> dict[str, str]:
    """The uvicorn process's environment: like the function's, with the repo and ``functions`` importable."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "en_US.UTF-8", **FAKE_CREDENTIALS}
    env.update(function_env(bedrock_url))
    env["AWS_DEFAULT_REGION"] = REGION
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "functions")])
    env["PYTHONDONTWRITEBYTECODE"] = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    return env


def wait_http_ready(address: tuple[str, int], deadline_s: float) -> int:
    """Poll ``GET /healthz`` until it answers; return the ``perf_counter_ns`` of the first answer."""
    end = time.monotonic() + deadline_s
    request = f"GET /healthz HTTP/1.1\r\nHost: {address[0]}\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < end:
        try:
            with socket.create_connection(address, timeout=5) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter_ns()
        except OSError:
            time.sleep(0.001)
    raise TimeoutError(f"nothing answered on {address} within {deadline_s} s")


class UvicornPath(_HttpPath):
    """The same application served by FastAPI + uvicorn in its own process."""

    name = "fastapi_uvicorn"

    def __init__(self, bedrock_url: str) -> None:
        port = free_port()
        self._address = ("127.0.0.1", port)
        self._process = subprocess.Popen(
            uvicorn_command(port),
            env=uvicorn_env(bedrock_url),
            cwd=REPO_ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_http_ready(self._address, 60)
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def close(self) -> None:
        stop_process(self._process)


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM the process group, then SIGKILL if it does not exit within 5 s."""
    if process.poll() is None:
        kill_group(process, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.wait(5)
