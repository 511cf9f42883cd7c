"""The CLI as a subprocess against real HTTP servers on loopback: the local emulator running the real API with
the stub fake Bedrock, a moto CloudFormation server, and a tiny misbehaving server for truncated streams."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from emulator.fake_bedrock import ExceptionAfter, FakeBedrock, HttpError, stub_text
from emulator.http_base import serve_in_thread
from emulator.local import LocalLambda
from tests.functional.client.conftest import MODELS

ROOT = Path(__file__).resolve().parents[3]
PROMPT = "Tell me a story about 🦙 llamas, s'il vous plaît"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BEDROCK_STREAM_"))}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-credentials",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _run(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "client", *args],
        cwd=ROOT,
        env=env or _env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "client", *args],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _read_incrementally(proc: subprocess.Popen[bytes], deadline_s: float = 60) -> list[tuple[bytes, bool]]:
    """Every stdout read as (bytes, whether the process was still running right after the read)."""
    assert proc.stdout is not None
    reads: list[tuple[bytes, bool]] = []
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if not selector.select(timeout=1):
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                return reads
            reads.append((data, proc.poll() is None))
    raise AssertionError("the CLI did not finish in time")


def test_streams_text_incrementally_and_exits_0(local_lambda: LocalLambda) -> None:
    expected = stub_text(PROMPT)
    proc = _spawn("--url", local_lambda.url, PROMPT)
    try:
        reads = _read_incrementally(proc)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
    output = b"".join(data for data, _ in reads)
    assert output.decode("utf-8") == expected + "\n"  # piped stdout still ends with a newline
    first, still_running = reads[0]
    assert still_running, "the first text arrived only after the CLI had finished"
    assert len(first) < len(output), "the whole answer arrived in one piece: not streamed"
    assert len(reads) > 3


@pytest.mark.parametrize("fmt", ["sse", "ndjson", "text", "json"])
def test_every_format_prints_the_same_text(local_lambda: LocalLambda, fmt: str) -> None:
    result = _run("--url", local_lambda.url, "--format", fmt, "--stats", "--", "what", "is", "--format?")
    assert result.returncode == 0, result.stderr
    assert result.stdout == stub_text("what is --format?") + "\n"
    assert "first token" in result.stderr


def test_prompt_from_stdin_and_options_reach_bedrock(local_lambda: LocalLambda, fake_bedrock: FakeBedrock) -> None:
    """What the fake Bedrock received carries the CLI's model, system prompt, temperature and max tokens."""
    fake_bedrock.clear_requests()
    result = _run(
        "--url", local_lambda.url, "-m", MODELS[1], "-s", "Be brief.", "-t", "0.2", "--top-p", "0.9",
        "--max-tokens", "50", stdin="Hello from stdin\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == stub_text("Hello from stdin\n") + "\n"
    (request,) = fake_bedrock.requests
    assert request.model_id == MODELS[1]
    assert request.operation == "converse-stream"
    assert request.json["system"] == [{"text": "Be brief."}]
    assert request.json["inferenceConfig"] == {"temperature": 0.2, "topP": 0.9, "maxTokens": 50}
    assert request.json["messages"][-1] == {"role": "user", "content": [{"text": "Hello from stdin\n"}]}


def test_raw_prints_the_events_as_received(local_lambda: LocalLambda) -> None:
    result = _run("--url", local_lambda.url, "--raw", "--format", "ndjson", "hi")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1]["type"] == "done"
    assert "".join(line.get("text", "") for line in lines if line["type"] == "text") == stub_text("hi")


def test_model_not_allowed_exits_6_with_the_server_message(local_lambda: LocalLambda) -> None:
    result = _run("--url", local_lambda.url, "--model", "no.such-model", "hi")
    assert result.returncode == 6
    assert result.stdout == ""
    assert "HTTP 403 model_not_allowed" in result.stderr
    assert "no.such-model" in result.stderr
    assert "Traceback" not in result.stderr


def test_pre_stream_throttling_exits_7(local_lambda: LocalLambda, fake_bedrock: object) -> None:
    fake_bedrock.inject(HttpError("ThrottlingException"), times=None)  # type: ignore[attr-defined]
    result = _run("--url", local_lambda.url, "hi")
    assert result.returncode == 7, result.stderr
    assert "HTTP 429" in result.stderr


def test_mid_stream_error_exits_9_after_the_partial_text(local_lambda: LocalLambda, fake_bedrock: object) -> None:
    fault = ExceptionAfter(after=6, exception_type="modelStreamErrorException", message="model fell over")
    for fmt in ("sse", "text"):
        fake_bedrock.inject(fault)  # type: ignore[attr-defined]
        result = _run("--url", local_lambda.url, "--format", fmt, PROMPT)
        assert result.returncode == 9, (fmt, result.stderr)
        assert result.stdout.endswith("\n"), fmt
        assert len(result.stdout) > 1, fmt
        assert stub_text(PROMPT).startswith(result.stdout[:-1]), fmt
        assert "stream failed after it started" in result.stderr


def test_empty_prompt_exits_2() -> None:
    assert _run("--url", "http://127.0.0.1:9", stdin="  \n").returncode == 2


def test_connection_refused_exits_5() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _run("--url", f"http://127.0.0.1:{port}", "hi")
    assert result.returncode == 5
    assert "cannot connect" in result.stderr


def test_missing_credentials_exit_4_for_a_deployed_url() -> None:
    result = _run("--url", "https://abc123def456.lambda-url.us-east-1.on.aws", "hi")
    assert result.returncode == 4
    assert "no AWS credentials found" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_exits_130_without_traceback(local_lambda: LocalLambda) -> None:
    proc = _spawn("--url", local_lambda.url, PROMPT)
    try:
        assert proc.stdout is not None
        assert os.read(proc.stdout.fileno(), 65536)  # streaming has started
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr


class _TruncatingHandler(BaseHTTPRequestHandler):
    """Answers like the API but stops early: a clean end without ``done``, or a connection dropped mid-chunk.

    ``/reasoning`` answers a complete stream with a reasoning delta before the text (the stub model has none).
    """

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        if "reasoning" in self.path:
            self._send(b'event: reasoning\ndata: {"type":"reasoning","text":"thinking it over"}\n\n')
            self._send(b'event: text\ndata: {"type":"text","text":"answer"}\n\n')
            self._send(b'event: done\ndata: {"type":"done","stop_reason":"end_turn"}\n\n')
            self.wfile.write(b"0\r\n\r\n")
            return
        self._send(b'event: text\ndata: {"type":"text","text":"partial"}\n\n')
        if "drop" in self.path:
            self.wfile.write(b"40\r\nevent: te")  # a chunk cut short, then the connection closes
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")

    def _send(self, event: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def truncating_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TruncatingHandler)
    serve_in_thread(server, "truncating-endpoint")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("path", "message"), [("clean", "completion marker"), ("drop", "broke off")])
def test_truncated_stream_exits_10(truncating_url: str, path: str, message: str) -> None:
    # The emulator's API always ends with `done` or `error`; this server stands in for a lost connection.
    result = _run("--url", f"{truncating_url}/{path}", "hi")
    assert result.returncode == 10, result.stderr
    assert result.stdout == "partial\n"
    assert message in result.stderr


def test_reasoning_and_the_stats_line_stay_on_separate_stderr_lines(truncating_url: str) -> None:
    result = _run("--url", f"{truncating_url}/reasoning", "--reasoning", "--stats", "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "answer\n"
    lines = result.stderr.splitlines()
    assert lines[0] == "thinking it over"
    assert lines[1].startswith("bedrock-stream: ")
    assert "first token" in lines[1]
    assert len(lines) == 2


def test_url_from_stack_outputs(local_lambda: LocalLambda) -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"FunctionUrl": {"Value": local_lambda.url + "/"}},
        }
        cloudformation = boto3.client(
            "cloudformation", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        cloudformation.create_stack(StackName="BedrockStreamLocal", TemplateBody=json.dumps(template))
        env = _env(AWS_ENDPOINT_URL_CLOUDFORMATION=endpoint, **aws)
        result = _run("--stack", "BedrockStreamLocal", "hi", env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == stub_text("hi") + "\n"
        missing = _run("--stack", "NoSuchStack", "hi", env=env)
        assert missing.returncode == 3
        assert "not found" in missing.stderr
    finally:
        server.stop()
