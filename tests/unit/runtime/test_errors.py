"""Exceptions turned into Lambda error reports (types, JSON payload) (no sockets)."""

from __future__ import annotations

import pytest

from streaming_runtime.errors import (
    HandlerNotFoundError,
    InvalidBodyItemError,
    InvalidResponseError,
    RuntimeFault,
    error_report,
    function_error_type,
)


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


class weird_name_2(Exception):
    pass


def test_user_exception_types() -> None:
    assert function_error_type(ValueError("x")) == "Function.ValueError"
    assert function_error_type(weird_name_2()) == "Function.Weirdname2"
    assert function_error_type(type("_", (Exception,), {})()) == "Function.Unknown"
    assert function_error_type(type("Bad\r\nName", (Exception,), {})()) == "Function.BadName"


def test_runtime_faults_keep_their_runtime_type() -> None:
    assert function_error_type(HandlerNotFoundError("x")) == "Runtime.HandlerNotFound"
    assert function_error_type(RuntimeFault("x")) == "Runtime.Unknown"
    assert isinstance(InvalidBodyItemError("x"), TypeError)
    assert isinstance(InvalidResponseError("x"), TypeError)


def test_report_of_a_user_exception() -> None:
    report = error_report(_raised(KeyError("missing")))
    assert report.error_type == "Function.KeyError"
    doc = report.payload("req-1")
    assert doc["errorType"] == "KeyError"
    assert doc["errorMessage"] == "'missing'"
    assert doc["requestId"] == "req-1"
    assert doc["stackTrace"]
    assert all(isinstance(line, str) and not line.endswith("\n") for line in doc["stackTrace"])
    assert "_raised" in "\n".join(doc["stackTrace"])


def test_report_of_a_runtime_fault_without_request_id() -> None:
    report = error_report(HandlerNotFoundError("Handler 'x' missing on module 'm'"))
    assert report.payload() == {
        "errorMessage": "Handler 'x' missing on module 'm'",
        "errorType": "Runtime.HandlerNotFound",
        "stackTrace": [],
    }


@pytest.mark.parametrize("exc", [ValueError(), RuntimeError("a\r\nb")])
def test_error_types_are_legal_rapid_names(exc: Exception) -> None:
    kind = function_error_type(exc)
    category, _, reason = kind.partition(".")
    assert category in {"Function", "Runtime"}
    assert reason[0].isupper()
    assert reason.isalnum()


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text for you")


def test_an_exception_whose_str_raises_still_gets_a_report() -> None:
    report = error_report(_raised(_Unprintable()))
    assert report.error_type == "Function.Unprintable"
    assert report.message == "<_Unprintable: str() raised RuntimeError>"
