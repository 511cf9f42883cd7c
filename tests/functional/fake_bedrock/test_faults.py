"""Every scripted fault surfaces in real boto3 as docs/bedrock-formats.md describes; nothing hangs."""

from __future__ import annotations

import io
import json
import socket
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from emulator.chunked import ChunkedReader
from emulator.fake_bedrock import FakeBedrock, StallAfter, TruncateFinalFrame, stub_text
from emulator.fake_bedrock.faults import DEFAULT_STATUS
from tests.support.bedrock_scenarios import BedrockScenario, bedrock_client

MESSAGES = [{"role": "user", "content": [{"text": "hello"}]}]
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
CLAUDE_BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "messages": MESSAGES})


def _converse(client: Any) -> Any:
    return client.converse_stream(modelId="us.amazon.nova-micro-v1:0", messages=MESSAGES)["stream"]


def _invoke(client: Any) -> Any:
    return client.invoke_model_with_response_stream(modelId=CLAUDE, body=CLAUDE_BODY)["body"]


def _drain(stream: Any, into: list[Any]) -> None:
    for event in stream:
        into.append(event)


@pytest.mark.parametrize(("code", "status"), sorted(DEFAULT_STATUS.items()))
@pytest.mark.parametrize("call", [_converse, _invoke], ids=["converse", "invoke"])
def test_pre_stream_http_error(
    bedrock_runtime: Any, bedrock_scenario: BedrockScenario, code: str, status: int, call: Any
) -> None:
    bedrock_scenario.fail_before_stream(code, message=f"injected {code}")
    with pytest.raises(ClientError) as caught:
        call(bedrock_runtime)
    error = caught.value.response
    assert error["Error"]["Code"] == code
    assert error["Error"]["Message"] == f"injected {code}"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["ResponseMetadata"]["RequestId"]
    assert isinstance(caught.value, getattr(bedrock_runtime.exceptions, code))


def test_fault_applies_to_next_k_requests_then_stops(
    fake_bedrock: FakeBedrock, bedrock_scenario: BedrockScenario
) -> None:
    retrying = bedrock_client(fake_bedrock, attempts=3)
    bedrock_scenario.fail_before_stream("ThrottlingException", times=2)
    events = list(_converse(retrying))  # botocore retries the throttled attempts
    assert events[-1]["metadata"]
    assert [r.fault is not None for r in fake_bedrock.requests] == [True, True, False]


def test_fault_for_every_request_until_cleared(bedrock_runtime: Any, bedrock_scenario: BedrockScenario) -> None:
    bedrock_scenario.fail_before_stream("AccessDeniedException", times=None)
    for _ in range(3):
        with pytest.raises(bedrock_runtime.exceptions.AccessDeniedException):
            _converse(bedrock_runtime)
    bedrock_scenario.reset()
    assert list(_converse(bedrock_runtime))


CONVERSE_EXCEPTIONS = [
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "throttlingException",
    "serviceUnavailableException",
]


@pytest.mark.parametrize("exception_type", [*CONVERSE_EXCEPTIONS, "modelTimeoutException"])
def test_exception_frame_mid_stream_invoke(
    bedrock_runtime: Any, bedrock_scenario: BedrockScenario, exception_type: str
) -> None:
    bedrock_scenario.fail_after(4, exception_type, message="went wrong", original_status_code=500)
    received: list[Any] = []
    with pytest.raises(EventStreamError) as caught:
        _drain(_invoke(bedrock_runtime), received)
    assert caught.value.response["Error"] == {"Code": exception_type, "Message": "went wrong"}
    assert len(received) == 4


@pytest.mark.parametrize("exception_type", CONVERSE_EXCEPTIONS)
def test_exception_frame_mid_stream_converse(
    bedrock_runtime: Any, bedrock_scenario: BedrockScenario, exception_type: str
) -> None:
    bedrock_scenario.fail_after(2, exception_type, message="went wrong")
    received: list[Any] = []
    with pytest.raises(EventStreamError) as caught:
        _drain(_converse(bedrock_runtime), received)
    assert caught.value.response["Error"]["Code"] == exception_type
    assert received[0] == {"messageStart": {"role": "assistant"}}
    assert len(received) == 2


def test_model_timeout_is_not_a_converse_member(bedrock_runtime: Any, bedrock_scenario: BedrockScenario) -> None:
    bedrock_scenario.fail_after(1, "modelTimeoutException")
    with pytest.raises(EventStreamError) as caught:
        list(_converse(bedrock_runtime))
    assert caught.value.response["Error"] == {"Code": "", "Message": ""}


def test_exception_after_more_frames_than_the_stream_has(
    bedrock_runtime: Any, bedrock_scenario: BedrockScenario
) -> None:
    bedrock_scenario.fail_after(10_000, "internalServerException")
    received: list[Any] = []
    with pytest.raises(EventStreamError):
        _drain(_converse(bedrock_runtime), received)
    assert "metadata" in received[-1]


def test_unmodelled_error_frame(bedrock_runtime: Any, bedrock_scenario: BedrockScenario) -> None:
    bedrock_scenario.error_frame_after(3, "InternalFailure", "the stream broke")
    with pytest.raises(EventStreamError) as caught:
        list(_invoke(bedrock_runtime))
    assert caught.value.response["Error"] == {"Code": "InternalFailure", "Message": "the stream broke"}


@pytest.mark.parametrize("mid_frame", [False, True], ids=["between-frames", "mid-frame"])
@pytest.mark.parametrize("call", [_converse, _invoke], ids=["converse", "invoke"])
def test_connection_drop(bedrock_runtime: Any, bedrock_scenario: BedrockScenario, mid_frame: bool, call: Any) -> None:
    bedrock_scenario.drop_after(3, mid_frame=mid_frame)
    received: list[Any] = []
    with pytest.raises(ProtocolError):
        _drain(call(bedrock_runtime), received)
    assert len(received) == 3
    assert list(_converse(bedrock_runtime))  # the next request is served normally


def test_truncated_final_frame_ends_silently(bedrock_runtime: Any, bedrock_scenario: BedrockScenario) -> None:
    complete = list(_converse(bedrock_runtime))
    bedrock_scenario.truncate_final_frame()
    truncated = list(_converse(bedrock_runtime))
    assert truncated == complete[:-1]


def test_truncating_the_whole_final_frame_ends_the_body_once(fake_bedrock: FakeBedrock) -> None:
    # keep=0 used to write an empty chunk (itself a terminator) before the real terminator: stray bytes on the wire.
    fake_bedrock.inject(TruncateFinalFrame(keep=0))
    body = json.dumps({"messages": MESSAGES}).encode()
    request = (
        f"POST /model/m/converse-stream HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", fake_bedrock.port), timeout=10) as sock:
        sock.sendall(request + body)
        raw = b""
        while data := sock.recv(65536):
            raw += data
    body_stream = io.BufferedReader(io.BytesIO(raw.split(b"\r\n\r\n", 1)[1]))
    ChunkedReader(body_stream).read_all()
    assert body_stream.read() == b""  # nothing after the terminating chunk


def test_stall_for_a_while_then_continue(bedrock_runtime: Any, bedrock_scenario: BedrockScenario) -> None:
    bedrock_scenario.stall(2, seconds=0.3)
    events = list(_converse(bedrock_runtime))
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == stub_text("hello")


def test_stall_forever_hits_the_client_read_timeout(
    fake_bedrock: FakeBedrock, bedrock_scenario: BedrockScenario
) -> None:
    client = bedrock_client(fake_bedrock, read_timeout=0.5)  # the stall never ends: the timeout always fires
    bedrock_scenario.stall(2)
    received: list[Any] = []
    with pytest.raises(ReadTimeoutError):
        _drain(_converse(client), received)
    assert len(received) == 2


def test_stop_releases_a_stalled_stream() -> None:
    fake = FakeBedrock().start()
    try:
        client = bedrock_client(fake, read_timeout=30)
        fake.inject(StallAfter(1))
        stream = _converse(client)
        received: list[Any] = []
        errors: list[BaseException] = []

        def consume() -> None:
            try:
                _drain(stream, received)
            except Exception as exc:
                errors.append(exc)

        consumer = threading.Thread(target=consume)
        consumer.start()
        assert fake.requests[0].finished.wait(0.3) is False  # stalled
    finally:
        fake.stop()
    consumer.join(10)
    assert not consumer.is_alive()
    assert len(received) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ProtocolError)


def test_stall_held_until_released_then_the_stream_goes_on(fake_bedrock: FakeBedrock) -> None:
    """``StallAfter(release=event)``: nothing after frame N while the event is clear, the whole stream once set."""
    release = threading.Event()
    fake_bedrock.inject(StallAfter(2, release=release))
    received: list[Any] = []
    for event in _converse(bedrock_client(fake_bedrock, read_timeout=30)):
        received.append(event)
        if len(received) == 2:
            assert not fake_bedrock.requests[-1].finished.is_set()  # held open at the stall
            release.set()
    assert len(received) > 2
    assert "metadata" in received[-1]
