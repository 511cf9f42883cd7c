"""API-key mode in the app: the key is checked before routing, body parsing and Bedrock, and every refusal comes in
the route's own error shape (surfaces.py ``error_body``): OpenAI's error object
(https://platform.openai.com/docs/guides/error-codes: 401 ``invalid_request_error`` / ``invalid_api_key``), Anthropic's
(https://docs.anthropic.com/en/api/errors: ``authentication_error``, ``permission_error``), the app's own elsewhere.
401s carry ``WWW-Authenticate`` (RFC 6750 section 3). The Bedrock seam is the in-test FakeSource; the key store is a
real key file."""

from __future__ import annotations

import io
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics

from bedrock_stream.api_keys import FileKeyStore, KeyGuard
from bedrock_stream.app import create_app
from bedrock_stream.observability import Observer
from client.api_keys import FileKeyStore as CliKeyFile
from client.api_keys import KeyPolicy, make_key
from tests.unit.api.support import MODEL, OTHER, FakeSource, Harness, json_event, run, settings, url_event

CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
MESSAGES = {"model": MODEL, "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]}


class Keyed(Harness):
    keys: dict[str, str]


@pytest.fixture
def keyed(tmp_path: Path) -> Keyed:
    path = tmp_path / "keys.json"
    store = CliKeyFile(path)
    keys = {}
    for name, policy in (("open", KeyPolicy()), ("limited", KeyPolicy(models=(OTHER,), max_tokens=50))):
        new = make_key(name, policy)
        store.add(new.item)
        keys[name] = new.key
    log = io.StringIO()
    logger = Logger(service=f"test-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler(log))
    s = settings()
    observer = Observer(logger, Metrics(namespace="BedrockStreamTest", service="test"), log_content=False)
    source = FakeSource()
    guard = KeyGuard(FileKeyStore(path), cache_seconds=60)
    app = create_app(s, source, observer=observer, clock=lambda: 1_700_000_000.0, guard=guard)
    harness = Keyed(app, source, log)
    harness.keys = keys
    return harness


def _call(h: Harness, path: str, payload: Any, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    result = run(h, json_event(payload, path=path, headers=headers))
    return result.status, result.headers, json.loads(result.body) if result.body else None


@pytest.mark.parametrize(
    ("path", "payload", "headers", "expected"),
    [
        (
            "/v1/chat/completions",
            CHAT,
            {},
            {"error": {"type": "invalid_request_error", "code": "invalid_api_key", "param": None}},
        ),
        ("/v1/responses", {"model": MODEL, "input": "hi"}, {}, {"error": {"code": "invalid_api_key"}}),
        ("/v1/messages", MESSAGES, {}, {"type": "error", "error": {"type": "authentication_error"}}),
        ("/v1/messages/count_tokens", MESSAGES, {}, {"type": "error", "error": {"type": "authentication_error"}}),
        ("/", {"prompt": "hi"}, {}, {"error": {"type": "invalid_api_key"}}),
        ("/no/such/route", {}, {}, {"error": {"type": "invalid_api_key"}}),
    ],
)
def test_no_key_is_401_in_the_routes_own_shape_with_a_challenge(
    keyed: Keyed, path: str, payload: Any, headers: dict[str, str], expected: dict[str, Any]
) -> None:
    status, response_headers, body = _call(keyed, path, payload, headers)
    assert status == 401
    assert response_headers["www-authenticate"] == 'Bearer realm="bedrock-stream"'
    for part, fields in expected.items():
        if isinstance(fields, dict):
            assert {name: body[part][name] for name in fields} == fields
        else:
            assert body[part] == fields
    assert keyed.source.calls == []


def test_the_key_is_checked_before_the_body_is_read(keyed: Keyed) -> None:
    event = url_event(path="/v1/chat/completions", body="{" * 2_000_000)
    result = run(keyed, event)
    assert result.status == 401  # not 413: an unauthenticated caller learns nothing about limits or routes


def test_get_models_needs_a_key_too_and_answers_anthropic_shape_when_asked(keyed: Keyed) -> None:
    result = run(keyed, url_event("GET", "/v1/models", headers={"anthropic-version": "2023-06-01"}))
    assert (result.status, result.json()["error"]["type"]) == (401, "authentication_error")
    ok = run(keyed, url_event("GET", "/v1/models", headers={"x-api-key": keyed.keys["open"]}))
    assert ok.status == 200


def test_a_valid_key_streams_as_bearer_and_as_x_api_key(keyed: Keyed) -> None:
    key = keyed.keys["open"]
    status, _, _ = _call(keyed, "/v1/chat/completions", {**CHAT, "stream": False}, {"authorization": f"Bearer {key}"})
    assert status == 200
    result = run(keyed, json_event({**MESSAGES, "stream": True}, path="/v1/messages", headers={"x-api-key": key}))
    assert result.status == 200
    assert b"message_stop" in result.body
    assert len(keyed.source.calls) == 2


@pytest.mark.parametrize(
    ("path", "payload", "check"),
    [
        ("/v1/chat/completions", CHAT, lambda b: (b["error"]["type"], b["error"]["code"], b["error"]["param"])),
        ("/v1/messages", MESSAGES, lambda b: (b["type"], b["error"]["type"])),
        ("/", {"model": MODEL, "prompt": "hi"}, lambda b: b["error"]["type"]),
    ],
)
def test_a_model_outside_the_keys_allowlist_is_403_in_the_routes_shape(
    keyed: Keyed, path: str, payload: Any, check: Any
) -> None:
    status, _, body = _call(keyed, path, payload, {"x-api-key": keyed.keys["limited"]})
    assert status == 403
    expected = {
        "/v1/chat/completions": ("permission_error", "model_not_allowed", "model"),
        "/v1/messages": ("error", "permission_error"),
        "/": "model_not_allowed",
    }[path]
    assert check(body) == expected
    assert "limited" in json.dumps(body)
    assert keyed.source.calls == []


def test_max_tokens_over_the_keys_cap_is_403_and_within_it_streams(keyed: Keyed) -> None:
    headers = {"authorization": f"Bearer {keyed.keys['limited']}"}
    over = {**CHAT, "model": OTHER, "max_tokens": 51}
    status, _, body = _call(keyed, "/v1/chat/completions", over, headers)
    assert (status, body["error"]["code"], body["error"]["param"]) == (403, "max_tokens_not_allowed", "max_tokens")
    status, _, body = _call(keyed, "/v1/messages", {**MESSAGES, "model": OTHER, "max_tokens": 51}, headers)
    assert (status, body["error"]["type"]) == (403, "permission_error")
    native_body = {"inferenceConfig": {"maxTokens": 500}}
    native = run(keyed, json_event(native_body, path=f"/model/{OTHER}/invoke", headers=headers))
    assert native.status == 403
    assert keyed.source.calls == []
    # No model and no max_tokens: the key's own model and a default within its cap.
    assert run(keyed, json_event({"prompt": "hi"}, headers=headers)).status == 200
    ((_, chat),) = keyed.source.calls
    assert (chat.model, chat.max_tokens) == (OTHER, 50)


def test_the_log_line_names_the_key_and_never_holds_key_material(keyed: Keyed) -> None:
    key = keyed.keys["open"]
    run(keyed, json_event({"prompt": "hi"}, headers={"x-api-key": key}))
    run(keyed, json_event({"prompt": "hi"}, headers={"x-api-key": key[:-2] + "zz"}))
    run(keyed, json_event({"model": MODEL, "prompt": "hi"}, headers={"x-api-key": keyed.keys["limited"]}))
    lines = [json.loads(line) for line in keyed.log.getvalue().splitlines() if line.startswith("{")]
    assert [line.get("api_key") for line in lines if "status" in line] == ["open", None, "limited"]
    text = keyed.log.getvalue()
    for secret in keyed.keys.values():
        assert secret not in text
        assert secret.split("_", 2)[2] not in text
        assert secret.split("_")[1] not in text


def test_direct_invokes_are_iam_authorized_and_need_no_key(keyed: Keyed) -> None:
    result = run(keyed, {"prompt": "hi"})
    assert result.status == 200
    assert result.error is None
