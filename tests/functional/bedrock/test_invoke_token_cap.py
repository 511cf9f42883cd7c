"""The token cap on every route, through the app, real boto3 and the fake Bedrock: a limit above ``maxTokensCap``
is a 400 naming the field and never reaches Bedrock; an invoke body without a limit gets the deployment's default
(which the stub honours, so the answer is cut there). Field names: the model-parameters pages cited in
functions/bedrock_stream/bedrock/registry.py (Nova: https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bedrock_stream.bedrock import BotoBedrockSource, create_client
from emulator.fake_bedrock import FakeBedrock
from tests.support.bedrock_scenarios import use_bedrock_endpoint
from tests.unit.api.support import Harness, harness, json_event, run, url_event

NOVA = "amazon.nova-micro-v1:0"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
TITAN = "amazon.titan-tg1-large"
CAP = 4096
MESSAGES = [{"role": "user", "content": [{"text": "Hi"}]}]


@pytest.fixture
def bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        yield fake


def _app(bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> Harness:
    use_bedrock_endpoint(bedrock.url, monkeypatch)
    client = create_client(read_timeout=5, connect_timeout=2, max_attempts=1)
    settings: dict[str, Any] = {"models": (NOVA, CLAUDE, TITAN), "default_model": NOVA, "max_tokens_cap": CAP}
    return harness(source_override=BotoBedrockSource(client), **{**settings, **overrides})


@pytest.mark.parametrize(
    ("model_id", "body", "field"),
    [
        (NOVA, {"messages": MESSAGES, "inferenceConfig": {"maxTokens": 1_000_000}}, "inferenceConfig.maxTokens"),
        (CLAUDE, {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200_000, "messages": []}, "max_tokens"),
        (
            TITAN,
            {"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": 8192}},
            "textGenerationConfig.maxTokenCount",
        ),
    ],
)
def test_invoke_limit_above_the_cap_is_400_before_bedrock(
    bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch, model_id: str, body: dict[str, Any], field: str
) -> None:
    app = _app(bedrock, monkeypatch)
    result = run(app, url_event(path=f"/model/{model_id}/invoke", body=json.dumps(body)))
    assert result.status == 400
    error = result.json()["error"]
    assert (error["type"], error["field"]) == ("invalid_request", field)
    assert str(CAP) in error["message"]
    assert bedrock.requests == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/", {"prompt": "Hi", "max_tokens": CAP + 1}),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": CAP + 1}),
    ],
)
def test_chat_routes_refuse_a_limit_above_the_cap(
    bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch, path: str, body: dict[str, Any]
) -> None:
    result = run(_app(bedrock, monkeypatch), json_event(body, path=path))
    assert result.status == 400
    assert bedrock.requests == []


def test_invoke_body_without_a_limit_gets_the_default(bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(bedrock, monkeypatch, default_max_tokens=3)
    body = {"messages": MESSAGES, "inferenceConfig": {"temperature": 0.2}}
    result = run(app, url_event(path=f"/model/{NOVA}/invoke", body=json.dumps(body), query="format=ndjson"))
    assert (result.status, result.error) == (200, None)
    (request,) = bedrock.requests
    assert request.json["inferenceConfig"] == {"temperature": 0.2, "maxTokens": 3}
    lines = [json.loads(line) for line in result.body.splitlines()]
    assert len([line for line in lines if line["type"] == "text"]) == 3
    assert lines[-1]["stop_reason"] == "max_tokens"
