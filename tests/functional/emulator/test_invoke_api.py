"""Real boto3 Lambda clients (invoke, invoke_with_response_stream) against the emulator's local Invoke API."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config

from emulator import LocalLambda


@pytest.fixture
def lambda_client(demo: LocalLambda) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=demo.url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=20, connect_timeout=5),
    )


def _events(response: dict[str, Any]) -> tuple[list[tuple[float, bytes]], dict[str, Any]]:
    chunks: list[tuple[float, bytes]] = []
    complete: dict[str, Any] = {}
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append((time.monotonic(), event["PayloadChunk"]["Payload"]))
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    return chunks, complete


def test_invoke_with_response_stream_streams_payload_chunks(demo: LocalLambda, lambda_client: Any) -> None:
    payload = json.dumps({"lines": 4, "delay_ms": 300}).encode()
    response = lambda_client.invoke_with_response_stream(FunctionName=demo.config.function_name, Payload=payload)
    assert response["StatusCode"] == 200
    chunks, complete = _events(response)
    # Direct invokes are not HTTP events: no prelude, the raw body only.
    assert b"".join(c for _, c in chunks) == b"line 0\nline 1\nline 2\nline 3\n"
    assert chunks[-1][0] - chunks[0][0] >= 0.6
    assert complete.get("ErrorCode") is None
    assert response["ResponseStreamContentType"] == "text/plain; charset=utf-8"


def test_mid_stream_error_arrives_in_invoke_complete(demo: LocalLambda, lambda_client: Any) -> None:
    payload = json.dumps({"mode": "raise_mid", "after": 1, "delay_ms": 0}).encode()
    response = lambda_client.invoke_with_response_stream(FunctionName=demo.config.function_name, Payload=payload)
    chunks, complete = _events(response)
    assert b"".join(c for _, c in chunks) == b"line 0\n"
    assert complete["ErrorCode"] == "Function.DemoError"
    assert json.loads(complete["ErrorDetails"])["errorMessage"] == "failed after 1 lines"


def test_buffered_invoke_and_function_error(demo: LocalLambda, lambda_client: Any) -> None:
    ok = lambda_client.invoke(FunctionName=demo.config.function_name, Payload=b'{"lines": 2, "delay_ms": 0}')
    assert ok["StatusCode"] == 200
    assert ok["Payload"].read() == b"line 0\nline 1\n"
    failed = lambda_client.invoke(FunctionName=demo.config.function_name, Payload=b'{"mode": "raise"}')
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorMessage"] == "failed before returning"


def test_unknown_function_is_resource_not_found(lambda_client: Any) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.invoke(FunctionName="no-such-function", Payload=b"{}")
