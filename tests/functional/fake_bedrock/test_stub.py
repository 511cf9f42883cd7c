"""Stub mode through real boto3: ConverseStream text, limits, recorded requests, non-stream routes, errors."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.fake_bedrock import FakeBedrock, stub_text
from tests.support.bedrock_scenarios import bedrock_env

PROMPT = "Plan a café trip at 20 °C 🚲"


def _user(*texts: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"text": text} for text in texts]}


def _text(events: list[dict[str, Any]]) -> str:
    return "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)


def test_converse_stream_yields_stub_text_exactly(bedrock_runtime: Any, fake_bedrock: FakeBedrock) -> None:
    messages = [_user("earlier"), {"role": "assistant", "content": [{"text": "ok"}]}, _user(PROMPT, "second block")]
    response = bedrock_runtime.converse_stream(modelId="us.amazon.nova-micro-v1:0", messages=messages)
    events = list(response["stream"])
    assert _text(events) == stub_text(f"{PROMPT}\nsecond block")
    assert events[0] == {"messageStart": {"role": "assistant"}}
    assert [next(iter(e)) for e in events[-3:]] == ["contentBlockStop", "messageStop", "metadata"]
    assert events[-2] == {"messageStop": {"stopReason": "end_turn"}}
    usage = events[-1]["metadata"]["usage"]
    assert usage["outputTokens"] == sum("contentBlockDelta" in e for e in events)
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert isinstance(events[-1]["metadata"]["metrics"]["latencyMs"], int)
    assert response["ResponseMetadata"]["RequestId"]
    (request,) = fake_bedrock.requests
    assert request.model_id == "us.amazon.nova-micro-v1:0"
    assert request.path == "/model/us.amazon.nova-micro-v1%3A0/converse-stream"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256")
    assert request.json["messages"] == messages


def test_any_model_id_including_arns_works(bedrock_runtime: Any, fake_bedrock: FakeBedrock) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
    events = list(bedrock_runtime.converse_stream(modelId=arn, messages=[_user("hi")])["stream"])
    assert _text(events) == stub_text("hi")
    assert fake_bedrock.requests[0].model_id == arn


def test_max_tokens_and_stop_sequences(bedrock_runtime: Any) -> None:
    capped = list(
        bedrock_runtime.converse_stream(modelId="m", messages=[_user("x")], inferenceConfig={"maxTokens": 4})["stream"]
    )
    assert capped[-2] == {"messageStop": {"stopReason": "max_tokens"}}
    assert stub_text("x").startswith(_text(capped))
    assert sum("contentBlockDelta" in e for e in capped) == 4
    stopped = list(
        bedrock_runtime.converse_stream(modelId="m", messages=[_user("x")], inferenceConfig={"stopSequences": ["°"]})[
            "stream"
        ]
    )
    assert stopped[-2] == {"messageStop": {"stopReason": "stop_sequence"}}
    assert _text(stopped) == stub_text("x").split("°")[0]


def test_non_streaming_converse(bedrock_runtime: Any) -> None:
    response = bedrock_runtime.converse(modelId="m", messages=[_user(PROMPT)])
    assert response["output"]["message"]["content"] == [{"text": stub_text(PROMPT)}]
    assert response["stopReason"] == "end_turn"


def test_non_streaming_invoke_is_a_validation_error(bedrock_runtime: Any) -> None:
    with pytest.raises(ClientError) as caught:
        bedrock_runtime.invoke_model(modelId="anthropic.claude-v2", body=b"{}")
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_body_without_user_message_is_a_validation_error(bedrock_runtime: Any) -> None:
    with pytest.raises(bedrock_runtime.exceptions.ValidationException) as caught:
        bedrock_runtime.converse_stream(modelId="m", messages=[{"role": "assistant", "content": [{"text": "x"}]}])
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("POST", "/model/x/unknown"), ("POST", "/foo")])
def test_unknown_route_is_a_json_error(fake_bedrock: FakeBedrock, method: str, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fake_bedrock.port, timeout=10)
    try:
        connection.request(method, path, body=b"{}")
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 404
    assert response.getheader("x-amzn-ErrorType", "").startswith("UnknownOperationException:")
    assert response.getheader("Content-Type") == "application/json"
    assert body["message"]


def test_boto3_finds_the_fake_through_the_standard_env_var(
    fake_bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in bedrock_env(fake_bedrock).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("bedrock-runtime", config=Config(retries={"total_max_attempts": 1}, read_timeout=10))
    events = list(client.converse_stream(modelId="m", messages=[_user("env")])["stream"])
    assert _text(events) == stub_text("env")


def test_standalone_runner_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.fake_bedrock", "--token-delay-ms", "1"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/model/m/converse-stream", body=json.dumps({"messages": [_user("cli")]}))
        response = connection.getresponse()
        assert response.status == 200
        assert response.read()
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
