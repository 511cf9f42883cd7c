"""Handler results validated before the stream opens, body item checks, sys.path order, log lines (no sockets)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from streaming_runtime import StreamingResponse
from streaming_runtime.errors import InvalidBodyItemError, InvalidEventError, InvalidResponseError
from streaming_runtime.loop import decode_event, plan_response
from streaming_runtime.paths import layer_paths, search_path
from streaming_runtime.stream import as_bytes
from streaming_runtime.wire import chunk

HTTP_EVENT = {"requestContext": {"http": {"method": "GET"}}}


def test_http_plan_has_the_prelude_as_one_framed_chunk() -> None:
    plan = plan_response(StreamingResponse(status_code=404, headers={"content-type": "text/plain"}), HTTP_EVENT)
    assert plan.content_type == "application/vnd.awslambda.http-integration-response"
    expected = b'{"statusCode":404,"headers":{"content-type":"text/plain"},"cookies":[]}' + b"\x00" * 8
    assert plan.first_chunk == chunk(expected)
    assert list(plan.body) == []


def test_direct_plan_has_no_prelude() -> None:
    plan = plan_response(StreamingResponse(headers={"Content-Type": "application/x-ndjson"}, body=[b"a"]), {"x": 1})
    assert plan.first_chunk is None
    assert plan.content_type == "application/x-ndjson"
    assert list(plan.body) == [b"a"]


def test_a_bytes_body_is_one_chunk_and_a_str_body_is_refused() -> None:
    plan = plan_response(StreamingResponse(body=b"whole"), {})  # type: ignore[arg-type]
    assert list(plan.body) == [b"whole"]
    with pytest.raises(InvalidResponseError, match="body is a str"):
        plan_response(StreamingResponse(body="text"), {})  # type: ignore[arg-type]


def test_body_is_iterated_lazily() -> None:
    produced: list[int] = []

    def gen() -> Iterator[bytes]:
        produced.append(1)
        yield b"x"

    plan = plan_response(StreamingResponse(body=gen()), {})
    assert produced == []
    assert next(plan.body) == b"x"


@pytest.mark.parametrize(
    ("response", "event", "message"),
    [
        ({"statusCode": 200}, HTTP_EVENT, "returned dict"),
        (None, {}, "returned NoneType"),
        (StreamingResponse(status_code="200"), HTTP_EVENT, "status_code must be an int"),  # type: ignore[arg-type]
        (StreamingResponse(cookies=[3]), HTTP_EVENT, "cookies must be str"),  # type: ignore[list-item]
        (StreamingResponse(body=5), {}, "body must be an iterable of bytes"),  # type: ignore[arg-type]
        (StreamingResponse(headers={"content-type": "a\r\nb"}), {}, "not a legal header value"),
    ],
)
def test_invalid_results_are_clear_errors(response: object, event: object, message: str) -> None:
    with pytest.raises(InvalidResponseError, match=message) as info:
        plan_response(response, event)
    assert info.value.error_type == "Runtime.InvalidResponse"


def test_decode_event() -> None:
    assert decode_event(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(InvalidEventError, match="Unable to parse the event payload as JSON"):
        decode_event(b"{nope")


@pytest.mark.parametrize(
    ("payload", "cause"),
    [
        (b"[" * 100_000 + b"]" * 100_000, RecursionError),  # deeper than any recursion limit
        (b'{"a": "\xff"}', UnicodeDecodeError),
    ],
)
def test_decode_event_turns_every_decoding_failure_into_an_unmarshal_error(
    payload: bytes, cause: type[BaseException]
) -> None:
    with pytest.raises(InvalidEventError, match=cause.__name__) as info:
        decode_event(payload)
    assert info.value.error_type == "Runtime.UnmarshalError"
    assert isinstance(info.value.__cause__, cause)


def test_as_bytes() -> None:
    assert as_bytes(b"a") == b"a"
    assert as_bytes(bytearray(b"b")) == b"b"
    assert as_bytes(memoryview(b"cd")) == b"cd"
    with pytest.raises(InvalidBodyItemError, match="yielded a str; body items must be bytes"):
        as_bytes("text")
    with pytest.raises(InvalidBodyItemError, match="yielded a int"):
        as_bytes(3)


def test_sys_path_order_matches_the_managed_runtime() -> None:
    current = ["/var/task", "/var/lang/lib/python313.zip", "/var/lang/lib/python3.13", "/opt/python", "/x"]
    assert search_path(current, "/var/task", (3, 13)) == [
        "/var/task",
        "/opt/python/lib/python3.13/site-packages",
        "/opt/python",
        "/var/lang/lib/python313.zip",
        "/var/lang/lib/python3.13",
        "/x",
    ]
    assert layer_paths((3, 12)) == ["/opt/python/lib/python3.12/site-packages", "/opt/python"]
    assert search_path(["", "/a"], None, (3, 11))[:3] == [*layer_paths((3, 11)), ""]
