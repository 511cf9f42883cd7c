"""Stack-output URL discovery against moto's CloudFormation mock in server mode (boto3 talks HTTP to it)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from client.discovery import discover_url
from client.errors import ConfigError

URL = "https://abc123xyz.lambda-url.eu-west-1.on.aws/"
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    return moto_endpoint


def _create_stack(name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_url_from_stack_output(aws_env: str) -> None:
    _create_stack("BedrockStream", {"FunctionUrl": URL, "FunctionName": "fn"})
    assert discover_url("BedrockStream", region=REGION) == URL.rstrip("/")


def test_missing_stack_is_a_clear_config_error(aws_env: str) -> None:
    with pytest.raises(ConfigError, match=r"stack 'NoSuchStack' not found in eu-west-1") as info:
        discover_url("NoSuchStack", region=REGION)
    assert info.value.exit_code == 3


def test_missing_output_names_the_outputs_present(aws_env: str) -> None:
    _create_stack("OtherStack", {"BucketName": "b"})
    with pytest.raises(ConfigError, match=r"no output 'FunctionUrl' \(outputs: BucketName\)"):
        discover_url("OtherStack", region=REGION)


def test_no_region_is_a_clear_config_error(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(ConfigError, match="--region"):
        discover_url("BedrockStream")
