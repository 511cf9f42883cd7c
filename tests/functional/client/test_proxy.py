"""``bedrock-stream proxy`` against real HTTP servers on loopback: the emulator (the real app over the stub fake
Bedrock) and small recording upstreams.

Signatures are checked with requests-aws4auth, an implementation independent of the botocore signer the proxy uses
(SigV4: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv_create-signed-request.html; Function URL
``AWS_IAM`` auth, service ``lambda``: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anthropic
import boto3
import botocore.session
import httpx
import pytest
import requests
from botocore.credentials import CredentialResolver, RefreshableCredentials
from botocore.exceptions import TokenRetrievalError
from moto.server import ThreadedMotoServer
from openai import OpenAI
from requests_aws4auth import AWS4Auth

from client.auth import FunctionUrlAuth, SessionCredentials
from client.errors import ConfigError
from client.proxy import ProxyServer
from emulator.fake_bedrock import FakeBedrock, stub_text
from emulator.http_base import serve_in_thread
from emulator.local import LocalLambda
from tests.functional.client.conftest import MODELS

ROOT = Path(__file__).resolve().parents[3]
REGION = "us-east-1"
ACCESS_KEY = "AKIDPROXYTEST"
SECRET_KEY = "proxy-test-secret-key-do-not-log"
SESSION_TOKEN = "proxy-test-session-token"
DUMMY_KEY = "sk-dummy-key-from-the-tool"


@pytest.fixture(autouse=True)
def fixed_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed fake credentials in the environment, and no AWS config files or metadata service to fall back on."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@contextmanager
def running_proxy(target: str, session: botocore.session.Session | None = None) -> Iterator[ProxyServer]:
    credentials = SessionCredentials(session or botocore.session.Session())
    server = ProxyServer(target, FunctionUrlAuth(region=REGION, credentials=credentials), port=0)
    serve_in_thread(server, "signing-proxy")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# -- a recording upstream --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[Received] = []
        super().__init__(("127.0.0.1", 0), _Recorder)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


_COMPLETION = {
    "id": "c1", "object": "chat.completion", "created": 0, "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
}  # fmt: skip


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RecordingServer

    def do_GET(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.received.append(Received(self.command, self.path, headers, body))
        answer = _COMPLETION if self.path.endswith("/chat/completions") else {"object": "list", "data": []}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-amzn-requestid", "req-1")
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[_RecordingServer]:
    server = _RecordingServer()
    serve_in_thread(server, "recorder")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def verified_signature(received: Received, access_key: str, secret_key: str, token: str) -> str:
    """Recompute the SigV4 signature of ``received`` with requests-aws4auth; returns the access key it names.

    Only the headers the signature says it signed (plus ``x-amz-date``) are given to the recomputation.
    """
    authorization = received.headers["authorization"]
    match = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request, "
                         r"SignedHeaders=([^,]+), Signature=[0-9a-f]{64}", authorization)  # fmt: skip
    assert match is not None, authorization
    assert (match.group(2), match.group(3)) == (REGION, "lambda")
    signed = match.group(4).split(";")
    assert {"host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"} <= set(signed)
    headers = {name: received.headers[name] for name in signed}
    url = f"http://{received.headers['host']}{received.path}"
    prepared = requests.Request(received.method, url, headers=headers, data=received.body or None).prepare()
    AWS4Auth(access_key, secret_key, REGION, "lambda", session_token=token)(prepared)
    assert prepared.headers["Authorization"] == authorization
    return match.group(1)


# -- the proxy ---------------------------------------------------------------------------------------------------


def test_openai_sdk_streams_through_the_proxy_from_the_emulator(
    local_lambda: LocalLambda, fake_bedrock: FakeBedrock
) -> None:
    """The first text reaches the SDK while the fake Bedrock is held before sending the rest of the stream.

    The fake Bedrock stops after frame ``gate`` until the SDK has yielded text: a proxy that buffered the response
    would never release it (the wait's time-out is only a safety net; it is reported, not relied on).
    """
    gate = 3
    events: list[str] = []
    text_seen = threading.Event()
    held_too_long: list[int] = []

    def on_frame_sent(index: int) -> None:
        events.append(f"frame {index}")
        if index == gate and not text_seen.wait(30):
            held_too_long.append(index)

    prompt = "Stream me through the proxy"
    fake_bedrock.on_frame_sent = on_frame_sent
    try:
        with running_proxy(local_lambda.url) as proxy:
            sdk = OpenAI(base_url=f"{proxy.url}/v1", api_key=DUMMY_KEY, max_retries=0)
            stream = sdk.chat.completions.create(
                model=MODELS[0], messages=[{"role": "user", "content": prompt}], stream=True
            )
            pieces: list[str] = []
            for chunk in stream:
                text = chunk.choices[0].delta.content if chunk.choices else None
                if text:
                    if not text_seen.is_set():
                        events.append("sdk text")
                        text_seen.set()
                    pieces.append(text)
    finally:
        fake_bedrock.on_frame_sent = None
    assert "".join(pieces) == stub_text(prompt)
    assert held_too_long == []
    frames = [event for event in events if event.startswith("frame ")]
    assert len(frames) > gate + 1, events
    assert events.index("sdk text") < events.index(frames[-1]), events
    assert events.index("sdk text") < events.index(f"frame {gate + 1}"), events


def test_anthropic_sdk_streams_through_the_proxy_with_a_dummy_key(local_lambda: LocalLambda) -> None:
    """The Anthropic SDK sends its key as ``x-api-key``; the proxy drops it and the stream arrives whole."""
    prompt = "Anthropic through the proxy"
    with running_proxy(local_lambda.url) as proxy:
        sdk = anthropic.Anthropic(base_url=proxy.url, api_key=DUMMY_KEY, max_retries=0)
        with sdk.messages.stream(
            model=MODELS[0], max_tokens=200, messages=[{"role": "user", "content": prompt}]
        ) as stream:
            pieces = list(stream.text_stream)
    assert len(pieces) > 3
    assert "".join(pieces) == stub_text(prompt)


def test_the_upstream_request_is_sigv4_signed_without_the_tools_keys(recorder: _RecordingServer) -> None:
    with running_proxy(recorder.url) as proxy:
        sdk = OpenAI(
            base_url=f"{proxy.url}/v1", api_key=DUMMY_KEY, max_retries=0, default_headers={"x-api-key": DUMMY_KEY}
        )
        reply = sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "Grüß dich 👋"}])
        listed = httpx.get(f"{proxy.url}/v1/models", params={"limit": "5", "after": "a b/c"})
    assert reply.choices[0].message.content == "ok"
    assert listed.status_code == 200
    assert listed.headers["x-amzn-requestid"] == "req-1"
    post, get = recorder.received
    for received in (post, get):
        assert verified_signature(received, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN) == ACCESS_KEY
        assert "x-api-key" not in received.headers
        assert DUMMY_KEY not in json.dumps(received.headers)
        assert received.headers["host"] == recorder.url.removeprefix("http://")
    assert json.loads(post.body)["messages"][0]["content"] == "Grüß dich 👋"
    assert get.path == "/v1/models?limit=5&after=a%20b%2Fc"  # form encoding re-encoded as signed


def test_a_chunked_request_body_is_read_whole_and_signed(recorder: _RecordingServer) -> None:
    with running_proxy(recorder.url) as proxy:
        pieces = iter([b'{"prompt": ', b'"in pieces"}'])
        response = httpx.post(f"{proxy.url}/", content=pieces, headers={"content-type": "application/json"})
    assert response.status_code == 200
    (received,) = recorder.received
    assert received.body == b'{"prompt": "in pieces"}'
    assert received.headers["content-length"] == str(len(received.body))
    assert "transfer-encoding" not in received.headers
    verified_signature(received, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)


class _RotatingKeys:
    """A credential provider (botocore's ``CredentialProvider`` interface: ``METHOD``, ``load()``) of refreshable
    credentials, as SSO and assume-role give, that always expire within botocore's mandatory refresh window, so
    botocore fetches new keys each time they are used."""

    METHOD = "rotating-test-keys"

    def __init__(self) -> None:
        self.issued: list[tuple[str, str, str]] = []

    def _fetch(self) -> dict[str, str]:
        number = len(self.issued) + 1
        keys = (f"AKIDROTATING{number:04d}", f"rotating-secret-{number}", f"rotating-token-{number}")
        self.issued.append(keys)
        expiry = datetime.now(UTC) + timedelta(minutes=2)
        return {"access_key": keys[0], "secret_key": keys[1], "token": keys[2], "expiry_time": expiry.isoformat()}

    def load(self) -> RefreshableCredentials:
        return RefreshableCredentials.create_from_metadata(self._fetch(), refresh_using=self._fetch, method=self.METHOD)


def test_each_request_is_signed_with_the_credentials_current_at_that_moment(recorder: _RecordingServer) -> None:
    provider = _RotatingKeys()
    session = botocore.session.Session()
    session.register_component("credential_provider", CredentialResolver([provider]))
    current: list[tuple[str, str, str]] = []
    with running_proxy(recorder.url, session) as proxy:
        for _ in range(2):
            assert httpx.get(f"{proxy.url}/v1/models").status_code == 200
            current.append(provider.issued[-1])
    assert current[0] != current[1]
    for received, (access_key, secret_key, token) in zip(recorder.received, current, strict=True):
        assert verified_signature(received, access_key, secret_key, token) == access_key


class _ExpiredSso:
    """A credential provider whose refresh fails the way an expired SSO session does."""

    METHOD = "expired-sso"

    def _fail(self) -> dict[str, str]:
        raise TokenRetrievalError(provider="sso", error_msg="the SSO session has expired, run aws sso login")

    def load(self) -> RefreshableCredentials:
        expiry = datetime.now(UTC) + timedelta(minutes=2)  # inside botocore's mandatory refresh window
        metadata = {"access_key": "AKIDOLD", "secret_key": "old", "token": "old", "expiry_time": expiry.isoformat()}
        return RefreshableCredentials.create_from_metadata(metadata, refresh_using=self._fail, method=self.METHOD)


def test_credentials_that_cannot_be_refreshed_give_a_json_error_and_nothing_goes_upstream(
    recorder: _RecordingServer,
) -> None:
    session = botocore.session.Session()
    session.register_component("credential_provider", CredentialResolver([_ExpiredSso()]))
    with running_proxy(recorder.url, session) as proxy:
        response = httpx.post(f"{proxy.url}/", json={"prompt": "hi"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "credentials_error"
    assert "cannot refresh AWS credentials" in error["message"]
    assert "aws sso login" in error["message"]
    assert recorder.received == []


def test_an_unreachable_upstream_gives_502_with_a_json_message() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with running_proxy(closed_url) as proxy:
        response = httpx.post(f"{proxy.url}/v1/chat/completions", json={"model": "m", "messages": []})
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["type"] == "upstream_unreachable"
    assert f"cannot reach {closed_url}" in error["message"]
    assert SECRET_KEY not in response.text
    assert ACCESS_KEY not in response.text


class _EndlessServer(ThreadingHTTPServer):
    """Streams one piece, waits for ``go``, then writes up to 16 MiB; ``outcome`` says whether the reader left."""

    daemon_threads = True

    def __init__(self) -> None:
        self.go = threading.Event()
        self.done = threading.Event()
        self.outcome = "pending"
        super().__init__(("127.0.0.1", 0), _Endless)


class _Endless(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _EndlessServer

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        piece = b"x" * 65536
        try:
            self.wfile.write(b"6\r\nfirst\n\r\n")
            self.server.go.wait(30)
            for _ in range(256):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            self.server.outcome = "completed"
        except (BrokenPipeError, ConnectionResetError):
            self.server.outcome = "reader left"
            self.close_connection = True
        finally:
            self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_caller_that_goes_away_closes_the_upstream_stream() -> None:
    upstream = _EndlessServer()
    serve_in_thread(upstream, "endless")
    try:
        with running_proxy(f"http://127.0.0.1:{upstream.server_address[1]}") as proxy:
            with httpx.Client() as caller, caller.stream("GET", f"{proxy.url}/events") as response:
                assert next(response.iter_raw()) == b"first\n"
            upstream.go.set()
            assert upstream.done.wait(60)
    finally:
        upstream.go.set()
        upstream.shutdown()
        upstream.server_close()
    assert upstream.outcome == "reader left"


class _TwoPieces(BaseHTTPRequestHandler):
    """Answers ``hello world`` in two chunks, no Content-Length."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def two_pieces_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TwoPieces)
    server.daemon_threads = True
    serve_in_thread(server, "two-pieces")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_body_without_length_is_chunked_to_http11_callers_on_a_kept_alive_connection(two_pieces_url: str) -> None:
    with running_proxy(two_pieces_url) as proxy, socket.create_connection(("127.0.0.1", proxy.port)) as caller:
        reader = caller.makefile("rb")
        for _ in range(2):  # the second request on the same connection
            caller.sendall(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = b"".join(iter(reader.readline, b"\r\n")).lower()
            assert head.startswith(b"http/1.1 200")
            assert b"transfer-encoding: chunked\r\n" in head
            assert b"content-length" not in head
            body = b""
            while (size := int(reader.readline(), 16)) > 0:
                body += reader.read(size)
                assert reader.readline() == b"\r\n"
            assert reader.readline() == b"\r\n"
            assert body == b"hello world"


def test_a_body_without_length_ends_with_the_connection_for_http10_callers(two_pieces_url: str) -> None:
    with running_proxy(two_pieces_url) as proxy, socket.create_connection(("127.0.0.1", proxy.port)) as caller:
        caller.sendall(b"GET /stream HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        reader = caller.makefile("rb")
        head, _, body = reader.read().partition(b"\r\n\r\n")  # read() returns at EOF: the proxy closed
    assert head.lower().startswith(b"http/1.1 200")  # the server's version; the framing follows the caller's
    assert b"transfer-encoding" not in head.lower()
    assert b"connection: close" in head.lower()
    assert body == b"hello world"


@pytest.mark.parametrize("headers", [{"Host": "evil.example"}, {"Origin": "https://evil.example"}, {"Origin": "null"}])
def test_callers_from_elsewhere_are_refused(recorder: _RecordingServer, headers: dict[str, str]) -> None:
    with running_proxy(recorder.url) as proxy:
        response = httpx.post(f"{proxy.url}/", json={"prompt": "hi"}, headers=headers)
        local = httpx.post(f"{proxy.url}/", json={"prompt": "hi"}, headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "forbidden"
    assert local.status_code == 200
    assert len(recorder.received) == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "localhost"])
def test_the_proxy_refuses_to_listen_beyond_loopback(host: str) -> None:
    auth = FunctionUrlAuth(region=REGION)
    with pytest.raises(ConfigError, match="only listens on loopback"):
        ProxyServer("https://abc123.lambda-url.us-east-1.on.aws", auth, port=0, host=host)


# -- the subcommand ----------------------------------------------------------------------------------------------


def _subcommand_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BEDROCK_STREAM_URL"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _run_subcommand(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m client proxy ARGS`` run to its end, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "client", "proxy", *args],
        cwd=ROOT,
        env=_subcommand_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _start_subcommand(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, str]:
    """``python -m client proxy ARGS --port 0``; returns the process, its URL and the stderr read up to its banner."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "client", "proxy", *args, "--port", "0"],
        cwd=ROOT,
        env=env or _subcommand_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    banner = ""
    while (match := re.search(r"(http://127\.0\.0\.1:\d+) -> ", banner)) is None:
        line = proc.stderr.readline()
        if not line:
            proc.wait()
            pytest.fail(f"the proxy exited before listening: {banner}")
        banner += line
    return proc, match.group(1), banner


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C; the exit code and the rest of stderr."""
    assert proc.stderr is not None
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    return proc.wait(timeout=30), rest


def test_the_subcommand_serves_until_ctrl_c_and_never_logs_credentials(recorder: _RecordingServer) -> None:
    proc, url, banner = _start_subcommand("--url", recorder.url, "--region", REGION)
    try:
        assert proc.stderr is not None
        dummy = {"authorization": f"Bearer {DUMMY_KEY}"}
        reply = httpx.post(f"{url}/", json={"prompt": "hi"}, headers=dummy)
        assert reply.status_code == 200
        request_line = proc.stderr.readline()  # logged once the response is complete
        code, rest = _stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    (received,) = recorder.received
    verified_signature(received, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    log = banner + request_line + rest
    assert code == 0, log
    assert request_line.startswith("bedrock-stream proxy: POST / -> 200 ("), log
    assert "stopped" in log
    assert "Traceback" not in log
    for secret in (SECRET_KEY, SESSION_TOKEN, DUMMY_KEY, received.headers["authorization"]):
        assert secret not in log


def test_the_subcommand_finds_the_url_in_the_stack_outputs(recorder: _RecordingServer) -> None:
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"FunctionUrl": {"Value": recorder.url + "/"}},
        }
        cloudformation = boto3.client("cloudformation", endpoint_url=endpoint, region_name=REGION)
        cloudformation.create_stack(StackName="ProxyStack", TemplateBody=json.dumps(template))
        env = {**_subcommand_env(), "AWS_ENDPOINT_URL_CLOUDFORMATION": endpoint, "AWS_REGION": REGION}
        proc, url, banner = _start_subcommand("--stack", "ProxyStack", env=env)
        try:
            assert f"{url} -> {recorder.url} (SigV4, service lambda, {REGION})" in banner
            assert httpx.get(f"{url}/models").status_code == 200
            code, _ = _stop(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        moto.stop()
    assert code == 0
    (received,) = recorder.received
    verified_signature(received, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)


def test_the_subcommand_needs_an_endpoint() -> None:
    result = _run_subcommand()
    assert result.returncode == 2
    assert "no endpoint: pass --url URL or --stack NAME" in result.stderr


def test_the_subcommand_help_points_tools_at_the_proxy_with_a_dummy_key() -> None:
    result = _run_subcommand("--help")
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8787" in result.stdout
    assert "dummy" in result.stdout
    assert "--stack NAME" in result.stdout


def test_the_subcommand_without_credentials_exits_4_before_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    url = "https://abc123.lambda-url.eu-west-1.on.aws"
    result = _run_subcommand("--url", url, "--port", "0")
    assert result.returncode == 4, result.stderr
    assert "no AWS credentials found" in result.stderr
    assert " -> " not in result.stderr
