"""The function logs locally as it does deployed: JSON records at INFO (the stack's LoggingConfig, handed to the
function as AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL,
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html)."""

from __future__ import annotations

import json

import httpx

from tests.functional.emulator.conftest import python_lambda


def _function_records(lines: list[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_the_runtime_logs_json_records_by_default() -> None:
    with python_lambda(concurrency=1) as emulator:
        assert httpx.get(f"{emulator.url}/?mode=raise").status_code == 502
        assert emulator.logs.wait_for("failed before returning", 10.0, source_prefix="function")
        lines = [line.text for line in emulator.log_lines("function")]
    records = _function_records(lines)
    failure = next(record for record in records if "failed before returning" in str(record.get("message")))
    assert failure["level"] == "ERROR"
    assert "requestId" in failure


def test_text_format_is_still_available() -> None:
    with python_lambda(concurrency=1, log_format="Text") as emulator:
        assert httpx.get(f"{emulator.url}/?mode=raise").status_code == 502
        assert emulator.logs.wait_for("failed before returning", 10.0, source_prefix="function")
        lines = [line.text for line in emulator.log_lines("function") if "failed before returning" in line.text]
    assert lines
    assert not _function_records(lines)
