"""``authType: "API_KEY"``: the synthesized stack (cdk-nag applied as app.py does) and its config rules.

The browser preset: API-key mode with the ``cors`` allow-list, so a web page on an allowed origin can send
``authorization`` / ``x-api-key`` (Function URL CORS, AWS Lambda developer guide urls-configuration.html#urls-cors).
The function's access to the key table is exactly ``dynamodb:GetItem`` on the table's ARN (Service Authorization
Reference, list_amazondynamodb.html); the table has point-in-time recovery and encryption at rest (cdk-nag
AwsSolutions-DDB3 and the DynamoDB developer guide).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_stream import settings as function_settings
from client import api_keys as client_keys
from emulator import api_keys as emulator_keys
from infra import api_keys as infra_keys
from infra.checks import acknowledgements
from infra.config import ConfigError, StackConfig
from infra.stack import OUTPUT_API_KEY_TABLE
from tests.infra.test_stack import CDK_CONTEXT, Synth

ORIGIN = "https://chat.example.com"
BROWSER_PRESET = {
    **CDK_CONTEXT,
    "stackName": "BedrockStreamKeys",
    "authType": "API_KEY",
    "reservedConcurrency": 10,
    "apiKeyCacheSeconds": 30,
    "cors": {"allowOrigins": [ORIGIN], "allowHeaders": ["content-type"]},
}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth(BROWSER_PRESET, tmp_path_factory.mktemp("cdkout-apikeys"), nag=True)


def _table_id(synth: Synth) -> str:
    (table_id,) = synth.template.find_resources("AWS::DynamoDB::Table")
    return str(table_id)


def test_the_function_url_is_public_and_the_function_checks_the_keys(keyed: Synth) -> None:
    url = keyed.only("AWS::Lambda::Url")["Properties"]
    assert (url["AuthType"], url["InvokeMode"]) == ("NONE", "RESPONSE_STREAM")
    permissions = keyed.template.find_resources("AWS::Lambda::Permission").values()
    assert sorted((p["Properties"]["Action"], p["Properties"]["Principal"]) for p in permissions) == [
        ("lambda:InvokeFunction", "*"),
        ("lambda:InvokeFunctionUrl", "*"),
    ]
    assert keyed.only("AWS::Lambda::Function")["Properties"]["ReservedConcurrentExecutions"] == 10
    env = keyed.env()
    assert env[infra_keys.ENV_API_KEY_TABLE] == {"Ref": _table_id(keyed)}
    assert env[infra_keys.ENV_API_KEY_CACHE_SECONDS] == "30"
    parsed = function_settings.Settings.from_env({**env, infra_keys.ENV_API_KEY_TABLE: "table"})
    assert (parsed.api_keys_required, parsed.api_key_cache_seconds) == (True, 30)


def test_browser_preset_cors_lets_the_page_send_the_key_headers(keyed: Synth) -> None:
    cors = keyed.only("AWS::Lambda::Url")["Properties"]["Cors"]
    assert cors["AllowOrigins"] == [ORIGIN]
    assert cors["AllowHeaders"] == ["content-type", "authorization", "x-api-key"]  # added to the configured list


def test_the_key_table_is_on_demand_with_pitr_and_encryption_and_is_kept(keyed: Synth) -> None:
    table = keyed.template.to_json()["Resources"][_table_id(keyed)]
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": infra_keys.KEY_ATTRIBUTE, "KeyType": "HASH"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_the_function_may_only_get_items_from_exactly_the_key_table(keyed: Synth) -> None:
    statements = keyed.policy_statements()
    dynamo = [s for s in statements if any(str(a).startswith("dynamodb:") for a in _list(s["Action"]))]
    assert dynamo == [
        {
            "Sid": "ReadApiKeyRecords",
            "Action": "dynamodb:GetItem",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [_table_id(keyed), "Arn"]},
        }
    ]
    for statement in statements:
        assert "*" not in str(statement["Resource"])  # no wildcard, table or index, anywhere in the role's policy


def test_the_table_is_an_output_the_cli_finds(keyed: Synth) -> None:
    outputs = keyed.template.to_json()["Outputs"]
    assert outputs[OUTPUT_API_KEY_TABLE]["Value"] == {"Ref": _table_id(keyed)}
    assert outputs["AuthType"]["Value"] == "API_KEY"
    assert client_keys.OUTPUT_TABLE == OUTPUT_API_KEY_TABLE


def test_cdk_nag_found_nothing_unacknowledged_in_api_key_mode(keyed: Synth) -> None:
    report = json.loads((keyed.outdir / "validation-report.json").read_text(encoding="utf-8"))
    assert report["pluginReports"] == []  # the synth would have raised on any unacknowledged finding
    assert acknowledgements(keyed.config) == []  # and nothing was waved through for this mode


def test_env_names_agree_across_infra_emulator_and_function() -> None:
    infra_names = {getattr(infra_keys, n) for n in dir(infra_keys) if n.startswith("ENV_")}
    emulator_names = {getattr(emulator_keys, n) for n in dir(emulator_keys) if n.startswith("ENV_")}
    assert infra_names | emulator_names <= function_settings.ENV_VARS
    assert function_settings.API_KEY_FILE in emulator_names


def _load(**context: Any) -> StackConfig:
    return StackConfig.from_context({"models": ["amazon.nova-micro-v1:0"], **context}.get)


def test_api_key_mode_requires_reserved_concurrency_without_an_opt_out() -> None:
    with pytest.raises(ConfigError, match="reservedConcurrency: authType API_KEY"):
        _load(authType="API_KEY")
    with pytest.raises(ConfigError, match="reservedConcurrency: authType API_KEY"):
        _load(authType="API_KEY", allowUnreservedConcurrency=True)
    config = _load(authType="API_KEY", reservedConcurrency=3)
    assert (config.auth_type, config.api_key_cache_s, config.allow_public_url) == ("API_KEY", 60, False)


@pytest.mark.parametrize("value", [-1, 3601, "soon"])
def test_api_key_cache_seconds_is_checked(value: Any) -> None:
    with pytest.raises(ConfigError, match="apiKeyCacheSeconds"):
        _load(authType="API_KEY", reservedConcurrency=3, apiKeyCacheSeconds=value)


def test_outside_api_key_mode_there_is_no_key_table() -> None:
    config = _load()
    assert infra_keys.cors_allow_headers(config) == ()
    assert infra_keys.url_auth_type(config).value == "AWS_IAM"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
