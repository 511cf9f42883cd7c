"""``--snapstart``: the emulator's SnapStart handshake with the real runtime, end to end through the Function URL.

The runtime's side follows aws/aws-lambda-python-runtime-interface-client (awslambdaric/bootstrap.py
``on_init_complete``); the Runtime API's side the AWS Lambda developer guide, runtimes-api.html ("Restore") and
snapstart.html. The emulator takes no real snapshot: ``/restore/next`` is answered at once.
"""

from __future__ import annotations

import json

import httpx
import pytest

from emulator import BedrockOptions, LocalLambda
from emulator.cli import build_parser
from emulator.fake_bedrock import stub_text
from tests.functional.emulator.conftest import python_lambda

pytestmark = pytest.mark.timeout(90)

TIMEOUT = httpx.Timeout(30.0)


def _platform(local: LocalLambda) -> list[str]:
    return [line.text for line in local.log_lines("function") if line.stream == "platform"]


def test_snapstart_runs_the_hooks_around_restore_next_before_the_first_invocation() -> None:
    with python_lambda(handler="snapstart_demo.handle", concurrency=1, snapstart=True) as local:
        response = httpx.get(f"{local.url}/", timeout=TIMEOUT)
        platform = _platform(local)

    assert response.status_code == 200
    assert response.json() == {
        "ran": ["before-2", "before-1", "after-1", "after-2"],
        "reseeded": True,
        "init_type": "snap-start",
    }
    restore_start = next(i for i, text in enumerate(platform) if text.startswith("RESTORE_START"))
    restore_report = next(i for i, text in enumerate(platform) if text.startswith("RESTORE_REPORT Restore Duration"))
    assert restore_start < restore_report


def test_without_snapstart_the_hooks_never_run() -> None:
    with python_lambda(handler="snapstart_demo.handle", concurrency=1) as local:
        response = httpx.get(f"{local.url}/", timeout=TIMEOUT)
        platform = _platform(local)

    assert response.json() == {"ran": [], "reseeded": False, "init_type": "on-demand"}
    assert not [text for text in platform if text.startswith("RESTORE_")]


def test_a_failing_after_restore_hook_is_a_restore_error_and_the_request_fails() -> None:
    with python_lambda(
        handler="snapstart_demo.handle", concurrency=1, snapstart=True, env={"SNAP_FAIL": "after"}
    ) as local:
        response = httpx.get(f"{local.url}/", timeout=TIMEOUT)
        platform = _platform(local)

    assert response.status_code == 502
    (report, *_) = [text for text in platform if text.startswith("RESTORE_REPORT Status: error")]
    assert "Error Type: Runtime.AfterRestoreError" in report
    doc = json.loads(report.split("Runtime.AfterRestoreError ", 1)[1])
    assert (doc["errorType"], doc["errorMessage"], doc["requestId"]) == (
        "RuntimeError",
        "after-restore hook failed on purpose",
        "",
    )


def test_the_app_streams_through_bedrock_after_a_snapstart_restore() -> None:
    prompt = "Tell me about snapshots"
    with LocalLambda(concurrency=1, timeout=30.0, bedrock=BedrockOptions(), snapstart=True) as local:
        response = httpx.post(
            f"{local.url}/", json={"prompt": prompt}, headers={"accept": "text/plain"}, timeout=TIMEOUT
        )
        platform = _platform(local)

    assert response.status_code == 200
    assert response.text == stub_text(prompt)
    assert any(text.startswith("RESTORE_REPORT Restore Duration") for text in platform)


def test_cli_flag() -> None:
    assert build_parser().parse_args(["--snapstart"]).snapstart is True
    assert build_parser().parse_args([]).snapstart is False
