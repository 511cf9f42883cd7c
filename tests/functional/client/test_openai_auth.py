"""FunctionUrlAuth inside the official OpenAI SDK: the bytes that reach the server are the bytes signed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from botocore.credentials import Credentials
from openai import OpenAI

from client.auth import FunctionUrlAuth
from emulator.fake_bedrock import stub_text
from emulator.http_base import serve_in_thread
from emulator.local import LocalLambda

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
RECEIVED: list[tuple[dict[str, str], bytes]] = []


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        RECEIVED.append(({k.lower(): v for k, v in self.headers.items()}, body))
        answer = {
            "id": "c1", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        }  # fmt: skip
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    serve_in_thread(server, "recorder")
    RECEIVED.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_sdk_request_is_signed_over_the_exact_body(recorder_url: str) -> None:
    auth = FunctionUrlAuth(region="us-east-1", credentials=CREDS)
    with httpx.Client(auth=auth) as http_client:
        sdk = OpenAI(base_url=f"{recorder_url}/v1", api_key="unused", http_client=http_client, max_retries=0)
        reply = sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "Grüß dich 👋"}])
    assert reply.choices[0].message.content == "ok"
    headers, body = RECEIVED[0]
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/lambda/aws4_request" in headers["authorization"]
    assert "Bearer" not in headers["authorization"]
    assert headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
    assert json.loads(body)["messages"][0]["content"] == "Grüß dich 👋"


def test_sdk_streams_through_the_signing_auth_from_the_emulator(local_lambda: LocalLambda) -> None:
    auth = FunctionUrlAuth(region="us-east-1", credentials=CREDS)
    with httpx.Client(auth=auth, timeout=30) as http_client:
        sdk = OpenAI(base_url=f"{local_lambda.url}/v1", api_key="unused", http_client=http_client, max_retries=0)
        stream = sdk.chat.completions.create(
            model="anthropic.claude-3-haiku-20240307-v1:0",
            messages=[{"role": "user", "content": "Stream me"}],
            stream=True,
        )
        pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert len([p for p in pieces if p]) > 3
    assert "".join(pieces) == stub_text("Stream me")
