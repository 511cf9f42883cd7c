"""Logs are JSON with the request facts and no prompt or completion text unless enabled; metrics are EMF."""

from __future__ import annotations

import json

import pytest

from bedrock_stream.errors import MidStreamError
from bedrock_stream.events import Stop, TextDelta, Usage
from tests.unit.api.support import FakeSource, harness, json_event, run

SECRET_PROMPT = "my-secret-prompt-4711"
SECRET_ANSWER = "classified-answer-0815"


def records(log: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.splitlines() if line.strip()]


def test_logs_have_request_facts_and_no_content(capsys: pytest.CaptureFixture[str]) -> None:
    source = FakeSource(events=[TextDelta(SECRET_ANSWER), Stop("end_turn"), Usage(11, 22)])
    h = harness(source)
    result = run(h, json_event({"prompt": SECRET_PROMPT}, query="format=sse"))
    assert result.status == 200
    log = h.log.getvalue()
    stdout = capsys.readouterr().out
    assert SECRET_PROMPT not in log + stdout
    assert SECRET_ANSWER not in log + stdout
    (line,) = records(log)
    assert line["message"] == "request finished"
    assert line["request_id"] == "req-123"
    assert line["route"] == "POST /"
    assert line["format"] == "sse"
    assert line["model"] == "anthropic.claude-3-haiku-20240307-v1:0"
    assert (line["status"], line["input_tokens"], line["output_tokens"]) == (200, 11, 22)
    assert "ttft_ms" in line
    assert "duration_ms" in line
    emf = json.loads(stdout.splitlines()[0])
    names = {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"TimeToFirstToken", "Duration", "InputTokens", "OutputTokens", "Requests"} <= names
    assert ["model", "service"] in emf["_aws"]["CloudWatchMetrics"][0]["Dimensions"]


def test_errors_are_logged_by_type_and_counted(capsys: pytest.CaptureFixture[str]) -> None:
    h = harness(FakeSource(fail_with=MidStreamError("boom", code="X")))
    run(h, json_event({"prompt": SECRET_PROMPT}, query="format=ndjson"))
    (line,) = records(h.log.getvalue())
    assert (line["level"], line["error_type"], line["error_code"]) == ("WARNING", "stream_error", "X")
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    errors = [e for e in emf if "Errors" in e]
    assert errors
    assert errors[0]["error_type"] == "stream_error"


def test_bad_requests_are_logged_without_the_body() -> None:
    h = harness()
    run(h, json_event({"prompt": SECRET_PROMPT, "bogus": 1}))
    (line,) = records(h.log.getvalue())
    assert line["status"] == 400
    assert SECRET_PROMPT not in h.log.getvalue()


def test_content_logging_is_opt_in() -> None:
    h = harness(FakeSource(events=[TextDelta(SECRET_ANSWER)]), log_content=True)
    run(h, json_event({"prompt": SECRET_PROMPT}))
    (line,) = records(h.log.getvalue())
    assert (line["prompt"], line["completion"]) == (SECRET_PROMPT, SECRET_ANSWER)
