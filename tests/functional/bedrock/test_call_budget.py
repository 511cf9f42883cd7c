"""The pre-stream Bedrock call fits into the invocation's remaining time (real boto3 against a loopback Bedrock).

A Bedrock that never sends its response headers must not hold the function past its deadline margin: each attempt's
read timeout and the number of retries come from the remaining time (Lambda-Runtime-Deadline-Ms,
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html; botocore Config ``connect_timeout``,
``read_timeout``, ``retries.total_max_attempts``, and botocore/httpsession.py's per-request ``read_timeout``), so the
caller gets a 504 while the function is still alive. The client keeps the production read timeout (120 s) and
3 attempts: without the budget this test would wait for minutes.
"""

from __future__ import annotations

import json
import time

import pytest

from bedrock_stream.bedrock import BotoBedrockSource
from emulator.fake_bedrock import FakeBedrock, ScriptedReply
from emulator.fake_bedrock.server import RecordedRequest
from tests.functional.bedrock.conftest import error_reply, make_client
from tests.unit.api.support import MODEL, harness, json_event, run

pytestmark = pytest.mark.timeout(60)


class ClockContext:
    """A Lambda context whose deadline is ``remaining_ms`` from now, on the real clock."""

    def __init__(self, remaining_ms: int) -> None:
        self.aws_request_id = "req-budget"
        self._deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def _source(server: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> BotoBedrockSource:
    client = make_client(server.url, monkeypatch, read_timeout=120.0, max_attempts=3, connect_timeout=0.2)
    return BotoBedrockSource(client)


def test_a_bedrock_that_never_answers_gets_a_504_before_the_deadline_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBedrock() as server:
        server.responder = lambda _request: ScriptedReply(silent=True)
        h = harness(source_override=_source(server, monkeypatch), deadline_margin_ms=500)
        context = ClockContext(remaining_ms=2500)
        result = run(h, json_event({"prompt": "hi", "model": MODEL}), context)
        left_ms = context.get_remaining_time_in_millis()
        requests = list(server.requests)

    assert result.status == 504
    assert result.json()["error"]["type"] in {"upstream_timeout", "deadline_exceeded"}
    assert left_ms > 0  # answered while the function was still alive, not killed at its timeout
    assert len(requests) == 1  # no time for a second attempt, so none was made


def test_no_attempt_is_made_when_the_remaining_time_cannot_hold_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBedrock() as server:
        server.responder = lambda _request: ScriptedReply(silent=True)
        h = harness(source_override=_source(server, monkeypatch), deadline_margin_ms=500)
        result = run(h, json_event({"prompt": "hi", "model": MODEL}), ClockContext(remaining_ms=800))
        requests = list(server.requests)

    assert result.status == 504
    assert result.json()["error"]["type"] == "deadline_exceeded"
    assert requests == []


def test_a_throttled_call_is_not_retried_when_the_backoff_would_pass_the_margin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    throttled = error_reply(429, "ThrottlingException", "Too many requests")
    with FakeBedrock() as server:
        server.responder = lambda _request: throttled
        h = harness(source_override=_source(server, monkeypatch), deadline_margin_ms=500)
        result = run(h, json_event({"prompt": "hi", "model": MODEL}), ClockContext(remaining_ms=1500))
        requests = list(server.requests)

    assert result.status == 429  # the caller sees the real refusal, not a timeout
    assert len(requests) == 1


def test_with_time_to_spare_retries_still_happen(monkeypatch: pytest.MonkeyPatch) -> None:
    replies = iter([error_reply(503, "ServiceUnavailableException", "busy")])

    def respond(_request: RecordedRequest) -> ScriptedReply:
        return next(replies, None) or error_reply(400, "ValidationException", json.dumps("second attempt reached"))

    with FakeBedrock() as server:
        server.responder = respond
        h = harness(source_override=_source(server, monkeypatch), deadline_margin_ms=500)
        result = run(h, json_event({"prompt": "hi", "model": MODEL}), ClockContext(remaining_ms=60_000))
        requests = list(server.requests)

    assert len(requests) == 2
    assert result.status == 400


def test_once_the_stream_is_open_the_deadline_watchdog_not_the_attempt_timeout_ends_a_silent_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The attempt's read timeout (budget minus connect timeout) is lifted when the headers arrive, so a stream that
    goes silent ends with the deadline error at the margin, not with a read timeout just before it."""
    with FakeBedrock() as server:
        server.responder = lambda _request: ScriptedReply(stall_after=0)
        h = harness(source_override=_source(server, monkeypatch), deadline_margin_ms=500)
        event = json_event({"prompt": "hi", "model": MODEL}, query="format=ndjson")
        result = run(h, event, ClockContext(remaining_ms=2500))

    assert result.status == 200
    last = json.loads(result.body.splitlines()[-1])
    assert last["type"] == "error"
    assert last["error"]["type"] == "deadline_exceeded"
