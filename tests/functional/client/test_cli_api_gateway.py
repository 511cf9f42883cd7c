"""``bedrock-stream --stack NAME --api-gateway --api-key KEY``: the CLI finds the stack's ``ApiUrl`` output (moto's
CloudFormation mock) and streams through the emulator's API Gateway front with ``x-api-key``, unsigned."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from emulator.api_gateway import ApiGatewayOptions, StreamLimits
from emulator.fake_bedrock import stub_text
from emulator.local import BedrockOptions, LocalLambda
from tests.functional.client.conftest import MODELS
from tests.functional.client.test_cli import _env, _run

KEY = "cli-test-key-42"


@pytest.fixture(scope="module")
def gateway_lambda() -> Iterator[LocalLambda]:
    options = ApiGatewayOptions(api_keys=(KEY,), limits=StreamLimits(integration_timeout_s=30))
    env = {"BEDROCK_STREAM_MODELS": ",".join(MODELS)}
    with LocalLambda(env=env, bedrock=BedrockOptions(), timeout=30, api_gateway=options) as lam:
        yield lam


@pytest.fixture(scope="module")
def stack_env(gateway_lambda: LocalLambda) -> Iterator[dict[str, str]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {
                "FunctionUrl": {"Value": "https://abc.lambda-url.us-east-1.on.aws/"},
                "ApiUrl": {"Value": gateway_lambda.api_gateway_url + "/"},
            },
        }
        cloudformation = boto3.client(
            "cloudformation", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        cloudformation.create_stack(StackName="BedrockStreamApi", TemplateBody=json.dumps(template))
        aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
        yield _env(AWS_ENDPOINT_URL_CLOUDFORMATION=endpoint, **aws)
    finally:
        server.stop()


def test_the_api_url_output_with_the_key_streams_the_answer(stack_env: dict[str, str]) -> None:
    result = _run("--stack", "BedrockStreamApi", "--api-gateway", "--api-key", KEY, "hi", env=stack_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == stub_text("hi") + "\n"


def test_the_key_from_the_environment(stack_env: dict[str, str]) -> None:
    env = {**stack_env, "BEDROCK_STREAM_API_KEY": KEY}
    result = _run("--stack", "BedrockStreamApi", "--api-gateway", "hi", env=env)
    assert result.returncode == 0, result.stderr


def test_without_the_key_api_gateway_answers_forbidden(gateway_lambda: LocalLambda) -> None:
    result = _run("--url", gateway_lambda.api_gateway_url, "hi")
    assert result.returncode != 0
    assert "Forbidden" in result.stderr


def test_api_gateway_needs_a_stack() -> None:
    result = _run("--url", "http://127.0.0.1:9", "--api-gateway", "hi")
    assert result.returncode == 2
    assert "--stack" in result.stderr
