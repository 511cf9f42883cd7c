"""The X-Ray error cause document (shape of awslambdaric/bootstrap.py ``make_xray_fault``) (no sockets)."""

from __future__ import annotations

import json

from streaming_runtime.errors import InvalidResponseError, error_report
from streaming_runtime.xray import MAX_CAUSE_BYTES, error_cause


def _raise_here(message: str) -> None:
    raise ValueError(message)


def _caught(message: str) -> ValueError:
    try:
        _raise_here(message)
    except ValueError as exc:
        return exc
    raise AssertionError("unreachable")


def test_a_function_error_lists_its_frames_and_files() -> None:
    exc = _caught("boom\nwith a second line")
    cause = json.loads(error_cause(exc, error_report(exc), "/var/task") or "null")
    assert cause["working_directory"] == "/var/task"
    (only,) = cause["exceptions"]
    assert (only["message"], only["type"]) == ("boom\nwith a second line", "ValueError")
    assert [frame["label"] for frame in only["stack"]] == ["_caught", "_raise_here"]
    assert cause["paths"] == [__file__]


def test_the_header_value_is_one_ascii_line() -> None:
    exc = _caught("ünï\r\ncode")
    value = error_cause(exc, error_report(exc), "/var/task") or ""
    assert value.isascii()
    assert "\n" not in value
    assert "\r" not in value


def test_a_runtime_fault_is_a_validation_error_without_stack() -> None:
    exc = InvalidResponseError("not a StreamingResponse")
    cause = json.loads(error_cause(exc, error_report(exc), "/var/task") or "null")
    assert cause["exceptions"] == [{"message": "not a StreamingResponse", "type": "LambdaValidationError", "stack": []}]
    assert cause["paths"] == []


def test_a_cause_of_a_mebibyte_or_more_is_not_sent() -> None:
    exc = _caught("x" * MAX_CAUSE_BYTES)
    assert error_cause(exc, error_report(exc), "/var/task") is None
