"""Bad input never reaches Bedrock and never breaks the app: status and error type per case, then a good request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.api.bad_inputs import BAD_INPUTS, MAX_BODY_BYTES, encode_body
from tests.unit.api.support import Harness, harness, json_event, run, url_event


@pytest.fixture(scope="module")
def shared() -> Harness:
    return harness(max_body_bytes=MAX_BODY_BYTES)


def test_table_is_big_enough() -> None:
    assert len(BAD_INPUTS) >= 25
    assert len({case[0] for case in BAD_INPUTS}) == len(BAD_INPUTS)


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body", "status", "error_type"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input(
    shared: Harness, name: str, method: str, path: str, headers: dict[str, str], body: Any, status: int, error_type: str
) -> None:
    route, _, query = path.partition("?")
    raw = encode_body(body)
    event = url_event(method, route, body=raw, headers=headers, query=query, base64_body=raw is not None)
    result = run(shared, event)
    assert (result.status, result.json()["error"]["type"]) == (status, error_type), result.body
    assert result.headers["content-type"] == "application/json"
    assert result.error is None
    assert shared.source.calls == []


def test_field_path_is_reported(shared: Harness) -> None:
    body = {"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}
    error = run(shared, json_event(body)).json()["error"]
    assert error["field"] == "messages[1].role"
    assert "messages[1].role" in error["message"]
    assert run(shared, json_event({"prompt": "a", "temprature": 1})).json()["error"]["field"] == "temprature"


def test_good_request_after_the_bad_ones(shared: Harness) -> None:
    result = run(shared, json_event({"prompt": "Hi"}))
    assert (result.status, result.body) == (200, b"Hello, world")


def test_integer_too_long_to_convert_is_a_400_not_a_500() -> None:
    # Python refuses to parse integers of more than 4300 digits (a ValueError that is not a JSONDecodeError).
    h = harness()
    body = b'{"prompt": "a", "max_tokens": 1' + b"0" * 5000 + b"}"
    result = run(h, url_event(body=body))
    assert (result.status, result.json()["error"]["type"]) == (400, "invalid_request"), result.body
    assert h.source.calls == []


def test_integral_float_max_tokens_reaches_bedrock_as_an_int() -> None:
    # JSON Schema counts 100.0 as an integer; botocore's parameter validation would refuse a float maxTokens.
    h = harness()
    assert run(h, json_event({"prompt": "a", "max_tokens": 100.0})).status == 200
    assert (
        run(
            h,
            json_event(
                {"messages": [{"role": "user", "content": "a"}], "max_tokens": 50.0}, path="/v1/chat/completions"
            ),
        ).status
        == 200
    )
    sent = [call[1].max_tokens for call in h.source.calls]
    assert sent == [100, 50]
    assert all(type(value) is int for value in sent)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"prompt": "hi \\ud800"}', "prompt"),
        (b'{"messages": [{"role": "user", "content": [{"text": "\\udc00"}]}]}', "messages[0].content[0].text"),
        (b'{"prompt": "a", "\\ud800x": 1}', "\\ud800x"),
    ],
)
def test_unpaired_surrogate_is_refused_naming_the_field(shared: Harness, body: bytes, field: str) -> None:
    result = run(shared, url_event(body=body))
    error = result.json()["error"]
    assert (result.status, error["type"], error["field"]) == (400, "invalid_request", field)
    assert "unpaired UTF-16 surrogate" in error["message"]


def test_a_surrogate_pair_escape_is_text_and_reaches_bedrock() -> None:
    h = harness()
    assert run(h, url_event(body=b'{"prompt": "smile \\ud83d\\ude00"}')).status == 200
    assert h.source.calls[0][1].messages[0].content == ({"text": "smile \U0001f600"},)


@pytest.mark.parametrize(
    ("method", "path", "status", "error_type"),
    [
        ("GET", "/model/\ud800/invoke", 405, "method_not_allowed"),
        ("G\udc00T", "/models", 405, "method_not_allowed"),
        ("POST", "/\ud800", 404, "not_found"),
    ],
)
def test_an_event_with_unpaired_surrogates_in_method_or_path_gets_a_json_error(
    method: str, path: str, status: int, error_type: str
) -> None:
    # A Function URL percent-encodes such paths; a direct invoke may still send an HTTP-shaped event holding them.
    # The error message echoes them: the body must still encode (it raised UnicodeEncodeError out of the handler).
    h = harness()
    result = run(h, url_event(method, path, body="{}"))
    assert (result.status, result.json()["error"]["type"]) == (status, error_type)
    assert result.error is None
    assert run(h, json_event({"prompt": "Hi"})).body == b"Hello, world"
