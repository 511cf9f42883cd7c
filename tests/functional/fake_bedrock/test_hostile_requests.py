"""The fake Bedrock answers whatever it is sent in Bedrock's error shape and keeps serving; its memory is bounded.

Error shape: ``{"message"}`` with ``x-amzn-ErrorType: <Code>:http://internal.amazon.com/coral/com.amazon.bedrock/``
(what botocore parses into ``ClientError``); the ``body`` limit of 25,000,000 bytes is InvokeModel's
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html). Loopback only.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from emulator.fake_bedrock import FakeBedrock, stub_text
from emulator.fake_bedrock.server import BODY_LIMIT

GUARD_S = 60.0  # hang guard only
PATH = "/model/us.amazon.nova-micro-v1:0/converse-stream"


def _address(fake: FakeBedrock) -> tuple[str, int]:
    parts = urlsplit(fake.url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def _post(fake: FakeBedrock, body: bytes, path: str = PATH) -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection(*_address(fake), timeout=GUARD_S)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    headers = {name.lower(): value for name, value in response.getheaders()}
    return response.status, headers, json.loads(data) if headers.get("content-type") == "application/json" else data


def _assert_bedrock_error(headers: dict[str, str], document: Any, code: str) -> None:
    assert headers["x-amzn-errortype"] == f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    assert headers["x-amzn-requestid"]
    assert isinstance(document["message"], str)


def _refused(fake: FakeBedrock, body: bytes, path: str = PATH) -> Any:
    """POST ``body`` and check it is refused with a 400 ValidationException; the error document."""
    status, headers, document = _post(fake, body, path)
    assert status == 400
    _assert_bedrock_error(headers, document, "ValidationException")
    return document


def _still_serves(bedrock_runtime: Any) -> None:
    response = bedrock_runtime.converse_stream(
        modelId="us.amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [{"text": "hi"}]}]
    )
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in response["stream"] if "contentBlockDelta" in e)
    assert text == stub_text("hi")


@pytest.mark.parametrize(
    "body",
    [
        b'{"messages": [{"role": "user", "content": [{"text": "\\ud800"}]}]}',
        b'{"messages": [{"role": "user", "content": [{"text": "a\\udfff b"}]}]}',
        b'{"messages": [',
        b"\xff\xfe not utf-8",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["lone-high-surrogate", "lone-low-surrogate", "bad-json", "not-utf8", "deeply-nested"],
)
def test_unreadable_json_is_a_validation_exception(
    fake_bedrock: FakeBedrock, bedrock_runtime: Any, body: bytes
) -> None:
    _refused(fake_bedrock, body)
    _still_serves(bedrock_runtime)


def test_invoke_with_a_lone_surrogate_in_the_prompt_is_a_validation_exception(
    fake_bedrock: FakeBedrock, bedrock_runtime: Any
) -> None:
    body = b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, '
    body += b'"messages": [{"role": "user", "content": "\\ud800"}]}'
    path = "/model/anthropic.claude-3-haiku-20240307-v1:0/invoke-with-response-stream"
    _refused(fake_bedrock, body, path)
    _still_serves(bedrock_runtime)


def test_a_body_over_the_invoke_model_limit_is_drained_then_refused(
    fake_bedrock: FakeBedrock, bedrock_runtime: Any
) -> None:
    document = _refused(fake_bedrock, b"x" * (BODY_LIMIT + 1))
    assert str(BODY_LIMIT) in document["message"]
    _still_serves(bedrock_runtime)


@pytest.mark.parametrize("length", ["-1", "banana"])
def test_a_bad_content_length_is_a_validation_exception(
    fake_bedrock: FakeBedrock, bedrock_runtime: Any, length: str
) -> None:
    with socket.create_connection(_address(fake_bedrock), timeout=GUARD_S) as sock:
        sock.sendall(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, data = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"x-amzn-ErrorType: ValidationException:" in head
    assert "message" in json.loads(data)
    _still_serves(bedrock_runtime)


def test_a_shorter_body_than_announced_is_a_validation_exception(fake_bedrock: FakeBedrock) -> None:
    with socket.create_connection(_address(fake_bedrock), timeout=GUARD_S) as sock:
        sock.sendall(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{}}".encode())
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert fake_bedrock.requests == []


def test_recorded_requests_are_bounded_keeping_the_latest() -> None:
    with FakeBedrock(record_limit=3) as fake:
        for index in range(5):
            _post(fake, json.dumps({"messages": [{"role": "user", "content": [{"text": f"n{index}"}]}]}).encode())
        texts = [request.json["messages"][0]["content"][0]["text"] for request in fake.requests]
    assert texts == ["n2", "n3", "n4"]
