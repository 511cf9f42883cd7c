"""``frontDoor: "apiGateway"``: the synthesized REST API, its streaming integration, keys, logs, permission, cdk-nag.

Checked against the API Gateway developer guide: response-transfer-mode.html (STREAM, 15-minute integration
timeout) and response-transfer-mode-lambda.html (the ``2021-11-15/functions/{arn}/response-streaming-invocations``
URI), api-gateway-api-usage-plans.html (keys, throttle, quota), set-up-logging.html (access logs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Annotations, Match, Template

from client import discovery
from emulator import api_gateway as local_api_gateway
from infra.api_gateway_front import METHODS, OUTPUT_API_URL
from infra.checks import apply_checks
from infra.config import ConfigError, StackConfig
from infra.stack import BedrockStreamStack

ROOT = Path(__file__).resolve().parents[2]
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
ENV = Environment(account="111122223333", region="us-east-1")
WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/bedrock-stream/0f3c1a2b-4d5e-6f70-8192-a3b4c5d6e7f8"
CERT_ARN = "arn:aws:acm:us-east-1:111122223333:certificate/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809"


class Synth:
    def __init__(self, context: dict[str, Any], outdir: Path) -> None:
        app = App(context={**CDK_CONTEXT, **context, "aws:cdk:bundling-stacks": []}, outdir=str(outdir))
        self.config = StackConfig.from_context(app.node.try_get_context)
        self.stack = BedrockStreamStack(app, self.config.stack_name, config=self.config, env=ENV)
        apply_checks(app, self.stack, self.config)
        assembly = app.synth()  # raises on any unacknowledged cdk-nag finding
        self.outdir = outdir
        self.template = Template.from_json(assembly.get_stack_by_name(self.stack.stack_name).template)

    def resources(self, kind: str) -> list[dict[str, Any]]:
        return [dict(r["Properties"]) for r in self.template.find_resources(kind).values()]

    def only(self, kind: str) -> dict[str, Any]:
        found = self.resources(kind)
        assert len(found) == 1, found
        return found[0]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth({"frontDoor": "apiGateway"}, tmp_path_factory.mktemp("cdkout-apigw"))


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    settings = {
        "stageName": "v1",
        "apiKeys": ["alice", "bob"],
        "throttleRateLimit": 2.5,
        "throttleBurstLimit": 5,
        "quotaLimit": 1000,
        "quotaPeriod": "DAY",
        "integrationTimeoutSeconds": 120,
        "webAclArn": WEB_ACL_ARN,
        "domainName": "llm.example.com",
        "certificateArn": CERT_ARN,
    }
    context = {"frontDoor": "apiGateway", "apiGateway": settings, "snapStart": True}
    return Synth(context, tmp_path_factory.mktemp("cdkout-apigw-full"))


def _methods(synth: Synth) -> list[dict[str, Any]]:
    return synth.resources("AWS::ApiGateway::Method")


def _joined(value: Any) -> str:
    """A CloudFormation ``Fn::Join`` (or plain string) as text, references shown as ``{Ref}`` / ``{GetAtt}``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return str(sep).join(_joined(part) for part in parts)
    if "Ref" in value:
        return "{" + str(value["Ref"]) + "}"
    if "Fn::GetAtt" in value:
        return "{" + ".".join(value["Fn::GetAtt"]) + "}"
    raise AssertionError(value)


def test_every_method_streams_through_the_response_streaming_invocation_uri(api: Synth) -> None:
    methods = _methods(api)
    assert sorted(m["HttpMethod"] for m in methods) == sorted(METHODS * 2)  # on / and on /{proxy+}
    (function_id,) = api.template.find_resources("AWS::Lambda::Function")
    for method in methods:
        integration = method["Integration"]
        assert (integration["Type"], integration["IntegrationHttpMethod"]) == ("AWS_PROXY", "POST")
        assert integration["ResponseTransferMode"] == "STREAM"
        assert _joined(integration["Uri"]) == (
            "arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/"
            f"{{{function_id}.Arn}}/response-streaming-invocations"
        )
        assert integration["TimeoutInMillis"] == 300_000  # the function timeout by default
        assert method["ApiKeyRequired"] is True
    paths = sorted(r["PathPart"] for r in api.resources("AWS::ApiGateway::Resource"))
    assert paths == ["{proxy+}"]
    assert api.only("AWS::ApiGateway::RestApi")["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_the_local_front_serves_the_same_methods() -> None:
    assert local_api_gateway.METHODS == METHODS


def test_integration_timeout_from_config(full: Synth) -> None:
    assert {m["Integration"]["TimeoutInMillis"] for m in _methods(full)} == {120_000}


def test_snap_start_streams_the_alias(full: Synth) -> None:
    (alias_id,) = full.template.find_resources("AWS::Lambda::Alias")
    uris = {_joined(m["Integration"]["Uri"]) for m in _methods(full)}
    assert uris == {
        f"arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/{{{alias_id}}}/response-streaming-invocations"
    }


def test_one_permission_scoped_to_the_apis_stage(api: Synth, full: Synth) -> None:
    (api_id,) = api.template.find_resources("AWS::ApiGateway::RestApi")
    permission = api.only("AWS::Lambda::Permission")
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert _joined(permission["SourceArn"]) == f"arn:aws:execute-api:us-east-1:111122223333:{{{api_id}}}/prod/*/*"
    assert _joined(full.only("AWS::Lambda::Permission")["SourceArn"]).endswith("/v1/*/*")


def test_usage_plan_throttles_and_holds_the_keys(api: Synth, full: Synth) -> None:
    plan = api.only("AWS::ApiGateway::UsagePlan")
    assert plan["Throttle"] == {"RateLimit": 10, "BurstLimit": 20}
    assert "Quota" not in plan
    api.only("AWS::ApiGateway::ApiKey")
    assert api.only("AWS::ApiGateway::UsagePlanKey")["KeyType"] == "API_KEY"
    plan = full.only("AWS::ApiGateway::UsagePlan")
    assert plan["Throttle"] == {"RateLimit": 2.5, "BurstLimit": 5}
    assert plan["Quota"] == {"Limit": 1000, "Period": "DAY"}
    assert len(full.resources("AWS::ApiGateway::ApiKey")) == 2
    assert len(full.resources("AWS::ApiGateway::UsagePlanKey")) == 2
    assert api.only("AWS::ApiGateway::RestApi")["ApiKeySourceType"] == "HEADER"  # x-api-key


def test_access_logs_go_to_a_log_group_with_retention_and_name_the_key_id_only(api: Synth) -> None:
    stage = api.only("AWS::ApiGateway::Stage")
    groups = api.template.find_resources("AWS::Logs::LogGroup")
    access_id = next(k for k in groups if k.startswith("ApiGatewayAccessLogs"))
    assert groups[access_id]["Properties"]["RetentionInDays"] == 30
    assert _joined(stage["AccessLogSetting"]["DestinationArn"]).endswith(f"log-group:{{{access_id}}}")
    fields = json.loads(stage["AccessLogSetting"]["Format"])
    assert fields["apiKeyId"] == "$context.identity.apiKeyId"
    assert "$context.identity.apiKey" not in fields.values()  # the key itself is never logged
    assert stage["MethodSettings"][0]["LoggingLevel"] == "ERROR"
    assert stage["MethodSettings"][0]["DataTraceEnabled"] is False
    api.template.resource_count_is("AWS::ApiGateway::Account", 1)  # the Region's CloudWatch role for the logs
    roles = api.template.find_resources("AWS::IAM::Role")
    (role,) = [r for key, r in roles.items() if key.startswith("ApiGatewayApiCloudWatchRole")]
    assert role["DeletionPolicy"] == "Retain"  # shared by every API in the Region: never deleted with the stack


def test_no_account_role_when_the_account_has_one(tmp_path_factory: pytest.TempPathFactory) -> None:
    context = {"frontDoor": "apiGateway", "apiGateway": {"cloudWatchRole": False}}
    synth = Synth(context, tmp_path_factory.mktemp("cdkout-apigw-norole"))  # cdk-nag clean without the IAM4 ack
    synth.template.resource_count_is("AWS::ApiGateway::Account", 0)
    assert "AccessLogSetting" in synth.only("AWS::ApiGateway::Stage")  # access logs all the same


def test_waf_and_custom_domain_only_when_configured(api: Synth, full: Synth) -> None:
    api.template.resource_count_is("AWS::WAFv2::WebACLAssociation", 0)
    api.template.resource_count_is("AWS::ApiGateway::DomainName", 0)
    association = full.only("AWS::WAFv2::WebACLAssociation")
    assert association["WebACLArn"] == WEB_ACL_ARN
    assert "stages/" in _joined(association["ResourceArn"])
    domain = full.only("AWS::ApiGateway::DomainName")
    assert (domain["DomainName"], domain["RegionalCertificateArn"]) == ("llm.example.com", CERT_ARN)
    assert domain["SecurityPolicy"] == "TLS_1_2"
    assert "BasePath" not in full.only("AWS::ApiGateway::BasePathMapping")  # the API at the domain's root
    assert full.template.to_json()["Outputs"][OUTPUT_API_URL]["Value"] == "https://llm.example.com/"


def test_outputs_name_the_api_url_the_client_discovers(api: Synth) -> None:
    outputs = api.template.to_json()["Outputs"]
    assert {"FunctionUrl", OUTPUT_API_URL, "ApiKeyIds"} <= set(outputs)
    assert _joined(outputs[OUTPUT_API_URL]["Value"]).endswith("/{" + _stage_id(api) + "}/")
    assert discovery.API_URL_OUTPUT_KEY == OUTPUT_API_URL


def _stage_id(synth: Synth) -> str:
    (stage_id,) = synth.template.find_resources("AWS::ApiGateway::Stage")
    return stage_id


def test_the_function_url_stays_iam_only(api: Synth) -> None:
    assert api.only("AWS::Lambda::Url")["AuthType"] == "AWS_IAM"


def test_cdk_nag_clean_in_this_mode(api: Synth, full: Synth) -> None:
    for synth in (api, full):
        report = json.loads((synth.outdir / "validation-report.json").read_text(encoding="utf-8"))
        findings = [
            violation["ruleName"]
            for plugin in report["pluginReports"]
            if plugin["pluginName"] != "Construct Annotations"  # SnapStart's own CDK warning in ``full``
            for violation in plugin["violations"]
        ]
        assert findings == []  # and synth would have raised on any unacknowledged finding


def test_no_heartbeat_is_a_synth_warning(api: Synth, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Without heartbeats a stream silent for 5 minutes is closed by API Gateway (response-transfer-mode.html)."""
    Annotations.from_stack(api.stack).has_no_warning("*", Match.string_like_regexp("closes a stream silent"))
    quiet = Synth({"frontDoor": "apiGateway", "heartbeatSeconds": 0}, tmp_path_factory.mktemp("cdkout-apigw-quiet"))
    Annotations.from_stack(quiet.stack).has_warning("*", Match.string_like_regexp("closes a stream silent for 300 s"))


def test_default_front_door_has_no_api(tmp_path_factory: pytest.TempPathFactory) -> None:
    synth = Synth({}, tmp_path_factory.mktemp("cdkout-no-apigw"))
    synth.template.resource_count_is("AWS::ApiGateway::RestApi", 0)
    assert OUTPUT_API_URL not in synth.template.to_json()["Outputs"]
    synth.template.has_resource_properties("AWS::Lambda::Url", Match.object_like({"AuthType": "AWS_IAM"}))


# -- config ------------------------------------------------------------------------------------------------------


def _config(**context: Any) -> StackConfig:
    values = {**CDK_CONTEXT, **context}
    return StackConfig.from_context(values.get)


def test_defaults_of_the_block() -> None:
    gateway = _config(frontDoor="apiGateway", timeoutSeconds=600).api_gateway
    assert gateway is not None
    assert (gateway.stage_name, gateway.api_keys, gateway.integration_timeout_s) == ("prod", ("default",), 600)
    assert _config().api_gateway is None


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"apiGateway": {"integrationTimeoutSeconds": 901}},
            r"integrationTimeoutSeconds: expected a whole number in 1\.\.900",
        ),
        ({"apiGateway": {"integrationTimeoutSeconds": 400}}, r"400 exceeds timeoutSeconds \(300\)"),
        ({"apiGateway": {"domainName": "llm.example.com"}}, "domainName and certificateArn go together"),
        ({"apiGateway": {"webAclArn": "arn:aws:wafv2:us-east-1:1:global/webacl/x/y"}}, "Regional WAFv2 web ACL"),
        ({"apiGateway": {"quotaPeriod": "YEAR"}}, "quotaPeriod"),
        ({"apiGateway": {"apiKeys": ["a", "a"]}}, "distinct key names"),
        ({"apiGateway": {"stage": "x"}}, "expected an object with some of"),
        ({"authType": "NONE", "allowPublicUrl": True, "reservedConcurrency": 5}, "keeps the Function URL AWS_IAM-only"),
        (
            {"cloudFront": True, "allowPublicUrl": True, "reservedConcurrency": 5},
            "not with frontDoor apiGateway",
        ),
    ],
)
def test_invalid_settings_are_reported(context: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(frontDoor="apiGateway", **context)


def test_the_block_without_the_front_door_is_a_mistake() -> None:
    with pytest.raises(ConfigError, match="only used with frontDoor apiGateway"):
        _config(apiGateway={"stageName": "v1"})
