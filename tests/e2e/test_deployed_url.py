"""Opt-in end-to-end tests against a deployed stack (they call real Bedrock and cost a few tokens).

Run after ``make deploy`` with the stack's URL and credentials that may invoke it::

    BEDROCK_STREAM_E2E_URL=https://<id>.lambda-url.<region>.on.aws/ .venv/bin/pytest tests/e2e -m e2e

``BEDROCK_STREAM_E2E_MODEL`` picks the model (default: the deployment's default model).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import httpx
import pytest

from client.auth import FunctionUrlAuth

URL = os.environ.get("BEDROCK_STREAM_E2E_URL", "").rstrip("/")
MODEL = os.environ.get("BEDROCK_STREAM_E2E_MODEL")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not URL, reason="set BEDROCK_STREAM_E2E_URL to a deployed Function URL to run e2e tests"),
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=URL, auth=FunctionUrlAuth(), timeout=httpx.Timeout(120.0)) as client:
        yield client


def _body(prompt: str) -> dict[str, object]:
    body: dict[str, object] = {"prompt": prompt, "max_tokens": 200}
    if MODEL:
        body["model"] = MODEL
    return body


def test_models_lists_the_allowlist(http: httpx.Client) -> None:
    response = http.get("/models")
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["default_model"] in doc["models"]


def test_ndjson_streams_several_events_and_ends_with_done(http: httpx.Client) -> None:
    arrivals: list[float] = []
    events: list[dict[str, object]] = []
    with http.stream("POST", "/?format=ndjson", json=_body("Count from one to twenty in words.")) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line:
                arrivals.append(time.monotonic())
                events.append(json.loads(line))
    assert events[-1]["type"] == "done", events[-1]
    assert sum(1 for e in events if e["type"] == "text") > 1
    assert arrivals[-1] > arrivals[0]  # deltas arrived over time, not in one buffered piece


def test_unsigned_request_is_refused() -> None:
    response = httpx.post(f"{URL}/", json=_body("Hi"), timeout=30)
    assert response.status_code == 403


def test_model_outside_the_allowlist_is_403(http: httpx.Client) -> None:
    response = http.post("/", json={"prompt": "Hi", "model": "not.an-allowed-model-v1:0"})
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "model_not_allowed"
