"""Real boto3 Lambda clients (invoke, invoke_with_response_stream) against the emulator's local Invoke API."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config

from emulator import LocalLambda
from tests.functional.emulator.conftest import python_lambda


def _lambda_client(emulator: LocalLambda) -> Any:
    """A real boto3 Lambda client for the emulator's Invoke API (one attempt, 20 s read timeout)."""
    return boto3.client(
        "lambda",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=20, connect_timeout=5),
    )


@pytest.fixture
def lambda_client(demo: LocalLambda) -> Any:
    return _lambda_client(demo)


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
    payload = json.dumps({"lines": 4, "delay_ms": 0}).encode()
    response = lambda_client.invoke_with_response_stream(FunctionName=demo.config.function_name, Payload=payload)
    assert response["StatusCode"] == 200
    chunks, complete = _events(response)
    # Direct invokes are not HTTP events: no prelude, the raw body only.
    assert b"".join(c for _, c in chunks) == b"line 0\nline 1\nline 2\nline 3\n"
    assert complete.get("ErrorCode") is None
    assert response["ResponseStreamContentType"] == "text/plain; charset=utf-8"


def test_a_payload_chunk_arrives_while_the_function_is_still_running() -> None:
    """One line, then the handler sleeps far past any wait here: the chunk can only arrive by streaming."""
    with python_lambda(concurrency=1, timeout=600.0) as emulator:
        client = _lambda_client(emulator)
        payload = b'{"mode": "sleep_mid", "after": 1, "seconds": 600, "delay_ms": 0}'
        response = client.invoke_with_response_stream(FunctionName=emulator.config.function_name, Payload=payload)
        first = next(iter(response["EventStream"]))
        assert first == {"PayloadChunk": {"Payload": b"line 0\n"}}
        response["EventStream"].close()


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


def _arn(demo: LocalLambda) -> str:
    return demo.config.function_arn


@pytest.mark.parametrize(
    ("form", "qualifier"),
    [
        ("name", None),
        ("name:$LATEST", None),
        ("arn", None),
        ("arn:$LATEST", None),
        ("partial", None),
        ("name", "$LATEST"),
    ],
)
def test_every_function_name_form_lambda_accepts_invokes_the_function(
    demo: LocalLambda, lambda_client: Any, form: str, qualifier: str | None
) -> None:
    """Name, name:qualifier, ARN and partial ARN (API_Invoke.html, FunctionName); boto3 sends ``:`` as %3A."""
    name = demo.config.function_name
    account = demo.config.account_id
    names = {
        "name": name,
        "name:$LATEST": f"{name}:$LATEST",
        "arn": _arn(demo),
        "arn:$LATEST": f"{_arn(demo)}:$LATEST",
        "partial": f"{account}:function:{name}",
    }
    extra = {"Qualifier": qualifier} if qualifier else {}
    response = lambda_client.invoke(FunctionName=names[form], Payload=b'{"lines": 1, "delay_ms": 0}', **extra)
    assert response["StatusCode"] == 200
    assert response["Payload"].read() == b"line 0\n"
    streamed = lambda_client.invoke_with_response_stream(
        FunctionName=names[form], Payload=b'{"lines": 1, "delay_ms": 0}', **extra
    )
    chunks, _ = _events(streamed)
    assert b"".join(c for _, c in chunks) == b"line 0\n"


@pytest.mark.parametrize(
    "function_name",
    [
        "arn:aws:lambda:eu-west-1:123456789012:function:bedrock-stream-local",
        "999999999999:function:bedrock-stream-local",
        "bedrock-stream-local:live",
    ],
    ids=["other-region", "other-account", "unknown-alias"],
)
def test_a_name_of_another_function_version_or_account_is_resource_not_found(
    lambda_client: Any, function_name: str
) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as caught:
        lambda_client.invoke(FunctionName=function_name, Payload=b"{}")
    assert caught.value.response["Error"]["Message"].startswith("Function not found: arn:aws:lambda:")


def test_an_oversized_payload_is_request_too_large_not_a_broken_upload(demo: LocalLambda, lambda_client: Any) -> None:
    """6 MB is the synchronous invocation payload quota (gettingstarted-limits.html): boto3 reads the 413."""
    payload = b'{"pad": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    with pytest.raises(lambda_client.exceptions.RequestTooLargeException) as caught:
        lambda_client.invoke(FunctionName=demo.config.function_name, Payload=payload)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert "6291456 bytes" in caught.value.response["Error"]["Message"]


def test_throttled_invoke_is_too_many_requests_with_its_reason() -> None:
    """Every sandbox busy and no queue: boto3 raises TooManyRequestsException with Lambda's Reason field."""
    with python_lambda(concurrency=1, queue_limit=0, timeout=30.0) as emulator:
        client = _lambda_client(emulator)
        busy = client.invoke_with_response_stream(
            FunctionName=emulator.config.function_name,
            Payload=b'{"mode": "sleep_mid", "after": 1, "seconds": 30, "delay_ms": 0}',
        )
        first = next(iter(busy["EventStream"]))
        assert first["PayloadChunk"]["Payload"] == b"line 0\n"  # the only sandbox is inside this invocation
        with pytest.raises(client.exceptions.TooManyRequestsException) as caught:
            client.invoke(FunctionName=emulator.config.function_name, Payload=b"{}")
        error = caught.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert error["Error"]["Message"] == "Rate Exceeded."
        busy["EventStream"].close()
