"""The synthesized stack: Function URL, function, environment, layer, logs, IAM, cdk-nag gate and the staged asset.

One synth per configuration (module-scoped fixtures): the default cdk.json context with cdk-nag applied exactly as
app.py does, a customised one (public URL with reserved concurrency, CORS, guardrail, application profile, an apac.
profile, alarm notifications), and app.py itself run the way the CDK CLI runs it offline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from bedrock_stream import settings as function_settings
from client import discovery
from emulator.launcher import FunctionConfig, build_env
from infra import streaming_function as sf
from infra.bedrock_access import Target, bedrock_statements
from infra.checks import apply_checks
from infra.config import StackConfig
from infra.regions import GEO_DESTINATION_REGIONS
from infra.stack import FUNCTIONS_DIR, OUTPUT_FUNCTION_URL, BedrockStreamStack

ROOT = Path(__file__).resolve().parents[2]
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
ENV = Environment(account="111122223333", region="us-east-1")
TARGET = Target(partition="aws", region="us-east-1", account="111122223333")
APP_PROFILE_ARN = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"
APAC_PROFILE = "apac.anthropic.claude-sonnet-4-5-20250929-v1:0"
ALARM_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:ops-alerts"
SYNTH_DAY = dt.date(2026, 12, 2)


class Synth:
    def __init__(self, context: dict[str, Any], outdir: Path, *, nag: bool) -> None:
        self.app = App(context={**context, "aws:cdk:bundling-stacks": []}, outdir=str(outdir))
        self.config = StackConfig.from_context(self.app.node.try_get_context)
        self.stack = BedrockStreamStack(self.app, self.config.stack_name, config=self.config, env=ENV, today=SYNTH_DAY)
        if nag:
            apply_checks(self.app, self.stack, self.config)
        self.assembly = self.app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
        self.outdir = outdir
        self.template = Template.from_json(self.assembly.get_stack_by_name(self.stack.stack_name).template)

    def only(self, resource_type: str) -> dict[str, Any]:
        resources = self.template.find_resources(resource_type)
        assert len(resources) == 1, resources
        return dict(next(iter(list(resources.values()))))

    def env(self) -> dict[str, str]:
        return self.only("AWS::Lambda::Function")["Properties"]["Environment"]["Variables"]  # type: ignore[no-any-return]

    def policy_statements(self) -> list[dict[str, Any]]:
        return self.only("AWS::IAM::Policy")["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth(CDK_CONTEXT, tmp_path_factory.mktemp("cdkout-default"), nag=True)


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    context = {
        **CDK_CONTEXT,
        "stackName": "BedrockStreamCustom",
        "models": ["amazon.nova-micro-v1:0", APP_PROFILE_ARN, APAC_PROFILE],
        "modelSources": {APP_PROFILE_ARN: "global.anthropic.claude-haiku-4-5-20251001-v1:0"},
        "authType": "NONE",
        "allowPublicUrl": True,
        "cors": {
            "allowOrigins": ["https://chat.example.com"],
            "allowMethods": ["POST", "GET"],
            "exposeHeaders": ["x-request-id"],
            "maxAge": 600,
            "allowCredentials": True,
        },
        "guardrail": {"id": "gr0abc123", "version": "3"},
        "reservedConcurrency": 5,
        "architecture": "x86_64",
        "pythonRuntime": "python3.13",
        "logRetentionDays": 7,
        "memoryMb": 1024,
        "timeoutSeconds": 120,
        "heartbeatSeconds": "0.5",
        "idleTimeoutSeconds": 90,
        "alarmEmail": "ops@example.com",
        "alarmTopicArn": ALARM_TOPIC_ARN,
    }
    return Synth(context, tmp_path_factory.mktemp("cdkout-custom"), nag=True)


# -- Function URL -----------------------------------------------------------------------------------------------


def test_function_url_streams_and_defaults_to_iam_auth(default: Synth) -> None:
    url = default.only("AWS::Lambda::Url")["Properties"]
    assert url["InvokeMode"] == "RESPONSE_STREAM"
    assert url["AuthType"] == "AWS_IAM"
    assert "Cors" not in url
    default.template.resource_count_is("AWS::Lambda::Permission", 0)  # no public invoke permissions


def test_public_url_when_opted_in_has_both_public_permissions_and_a_warning(custom: Synth) -> None:
    url = custom.only("AWS::Lambda::Url")["Properties"]
    assert (url["AuthType"], url["InvokeMode"]) == ("NONE", "RESPONSE_STREAM")
    permissions = custom.template.find_resources("AWS::Lambda::Permission")
    assert sorted(p["Properties"]["Action"] for p in permissions.values()) == [
        "lambda:InvokeFunction",
        "lambda:InvokeFunctionUrl",
    ]
    assert all(p["Properties"]["Principal"] == "*" for p in permissions.values())
    Annotations.from_stack(custom.stack).has_warning("*", Match.string_like_regexp("authType NONE"))


def test_cors_context_is_the_function_urls_own_cors(custom: Synth) -> None:
    """The ``cors`` context sets the URL's Cors (Lambda answers preflights and adds the headers, not the function)."""
    cors = custom.only("AWS::Lambda::Url")["Properties"]["Cors"]
    assert cors["AllowOrigins"] == ["https://chat.example.com"]
    assert cors["AllowMethods"] == ["POST", "GET"]
    assert {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "content-type"} <= set(
        cors["AllowHeaders"]
    )
    assert (cors["ExposeHeaders"], cors["MaxAge"], cors["AllowCredentials"]) == (["x-request-id"], 600, True)


# -- Function ----------------------------------------------------------------------------------------------------


def test_function_runtime_architecture_handler_and_sizes(default: Synth, custom: Synth) -> None:
    props = default.only("AWS::Lambda::Function")["Properties"]
    assert (props["Runtime"], props["Architectures"], props["Handler"]) == (
        "python3.14",
        ["arm64"],
        "bedrock_stream.handler.handle",
    )
    assert (props["MemorySize"], props["Timeout"]) == (512, 300)
    assert "ReservedConcurrentExecutions" not in props
    assert "TracingConfig" not in props
    custom_props = custom.only("AWS::Lambda::Function")["Properties"]
    assert (custom_props["Runtime"], custom_props["Architectures"]) == ("python3.13", ["x86_64"])
    assert (custom_props["MemorySize"], custom_props["Timeout"], custom_props["ReservedConcurrentExecutions"]) == (
        1024,
        120,
        5,
    )


def test_exec_wrapper_and_no_powertools_env(default: Synth) -> None:
    """The function names its Powertools service and namespace in code (bedrock_stream.observability), which
    overrides these variables: setting them would only suggest a knob that does nothing."""
    env = default.env()
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == "/var/task/bootstrap"
    assert not {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"} & env.keys()


def test_powertools_layer_is_the_pinned_ssm_parameter_for_runtime_and_architecture(default: Synth) -> None:
    (layer,) = default.only("AWS::Lambda::Function")["Properties"]["Layers"]
    parameter = default.template.to_json()["Parameters"][layer["Ref"]]
    assert parameter == {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": "/aws/service/powertools/python/arm64/python3.14/3.37.0",
    }


def test_env_var_names_match_what_the_function_reads(default: Synth, custom: Synth) -> None:
    infra_names = {getattr(sf, name) for name in dir(sf) if name.startswith("ENV_")}
    assert infra_names <= function_settings.ENV_VARS
    for synth in (default, custom):
        env = synth.env()
        ours = {key for key in env if key.startswith("BEDROCK_STREAM_")}
        assert ours <= function_settings.ENV_VARS
        # The function accepts the environment the stack writes, and sees the configured values.
        parsed = function_settings.Settings.from_env(env)
        assert parsed.models == synth.config.models
        assert parsed.default_model == synth.config.default_model
        assert parsed.max_tokens_cap == synth.config.max_tokens_cap
        assert parsed.log_content is False
        assert (parsed.heartbeat_seconds, parsed.idle_timeout_seconds) == (
            synth.config.heartbeat_s,
            synth.config.idle_timeout_s,
        )
    assert (function_settings.Settings.from_env(default.env()).heartbeat_seconds, custom.config.heartbeat_s) == (
        15,
        0.5,
    )
    guardrail = function_settings.Settings.from_env(custom.env())
    assert (guardrail.guardrail_id, guardrail.guardrail_version) == ("gr0abc123", "3")


def test_json_logs_into_a_log_group_with_retention(default: Synth, custom: Synth) -> None:
    logging = default.only("AWS::Lambda::Function")["Properties"]["LoggingConfig"]
    assert logging["LogFormat"] == "JSON"
    assert (logging["ApplicationLogLevel"], logging["SystemLogLevel"]) == ("INFO", "WARN")
    log_group_id = logging["LogGroup"]["Ref"]
    assert default.template.to_json()["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 30
    custom.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 7})


def test_the_emulator_starts_the_function_with_the_stacks_log_format_and_level(default: Synth) -> None:
    """Lambda hands the function its LoggingConfig as AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL
    (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html); the emulator's defaults
    are the deployed stack's."""
    logging = default.only("AWS::Lambda::Function")["Properties"]["LoggingConfig"]
    env = build_env(FunctionConfig(), "127.0.0.1:9001", parent={})
    assert (env["AWS_LAMBDA_LOG_FORMAT"], env["AWS_LAMBDA_LOG_LEVEL"]) == (
        logging["LogFormat"],
        logging["ApplicationLogLevel"],
    )


def test_alarms_on_errors_throttles_and_duration(default: Synth) -> None:
    alarms = default.template.find_resources("AWS::CloudWatch::Alarm")
    metrics = sorted(a["Properties"]["MetricName"] for a in alarms.values())
    assert metrics == ["Duration", "Errors", "Throttles"]
    duration = next(a["Properties"] for a in alarms.values() if a["Properties"]["MetricName"] == "Duration")
    assert (duration["ExtendedStatistic"], duration["Threshold"]) == ("p99", 270000)


def test_outputs_for_url_discovery(default: Synth) -> None:
    outputs = default.template.to_json()["Outputs"]
    assert set(outputs) == {"FunctionUrl", "FunctionName", "Region", "AuthType"}
    assert outputs["FunctionUrl"]["Value"]["Fn::GetAtt"][1] == "FunctionUrl"
    assert discovery.OUTPUT_KEY == OUTPUT_FUNCTION_URL  # what `bedrock-stream --stack` reads


# -- IAM ---------------------------------------------------------------------------------------------------------


def _expected_policy(synth: Synth) -> list[dict[str, Any]]:
    statements = bedrock_statements(
        synth.config.models,
        target=TARGET,
        geo_regions=synth.config.geo_regions,
        model_sources=synth.config.model_sources,
        guardrail_id=synth.config.guardrail.id if synth.config.guardrail else None,
    )
    return [s.to_json() for s in statements]


def test_role_policy_is_exactly_logs_plus_the_derived_bedrock_statements(default: Synth, custom: Synth) -> None:
    for synth in (default, custom):
        logs_statement, *bedrock = synth.policy_statements()
        assert logs_statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert logs_statement["Resource"]["Fn::GetAtt"][1] == "Arn"
        assert bedrock == _expected_policy(synth)
    (role,) = default.template.find_resources("AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role["Properties"]  # no AWSLambdaBasicExecutionRole: logs go to our group only


def test_custom_policy_has_app_profile_global_source_and_guardrail(custom: Synth) -> None:
    sids = [s.get("Sid") for s in custom.policy_statements()]
    assert sids == [
        None,
        "Model0Direct",
        "Model1ApplicationInferenceProfile",
        "Model1SourceGlobalProfile",
        "Model1SourceGlobalInRegion",
        "Model1SourceGlobalAnyRegion",
        "Model2Profile",
        "Model2ViaProfile",
        "Guardrail",
    ]


def test_no_bedrock_statement_has_a_wildcard_resource(default: Synth, custom: Synth) -> None:
    for synth in (default, custom):
        for statement in synth.policy_statements():
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("bedrock:") for a in actions):
                assert "*" not in json.dumps(statement["Resource"])
                assert all("*" not in a for a in actions)


def test_geo_profile_adds_a_deploy_time_region_rule(default: Synth, custom: Synth) -> None:
    rules = custom.template.to_json()["Rules"]
    assert [key for key in rules if key.startswith("RegionIn")] == ["RegionInApacGeography"]
    rule = rules["RegionInApacGeography"]["Assertions"][0]
    assert rule["Assert"] == {"Fn::Contains": [list(GEO_DESTINATION_REGIONS["apac"]), {"Ref": "AWS::Region"}]}
    assert not any(key.startswith("RegionIn") for key in default.template.to_json().get("Rules", {}))


def test_apac_profile_may_reach_the_model_in_every_apac_destination_region(custom: Synth) -> None:
    """AWS CDK's CrossRegionInferenceProfileRegion.APAC lists these four among the apac. destinations."""
    (via,) = [s for s in custom.policy_statements() if s.get("Sid") == "Model2ViaProfile"]
    granted = {arn.split(":")[3] for arn in via["Resource"]}
    assert {"ap-southeast-5", "ap-southeast-7", "ap-east-2", "me-central-1"} <= granted
    assert granted == set(GEO_DESTINATION_REGIONS["apac"])
    assert via["Condition"] == {
        "StringEquals": {
            "bedrock:InferenceProfileArn": f"arn:aws:bedrock:us-east-1:111122223333:inference-profile/{APAC_PROFILE}"
        }
    }


# -- Cost guards, alarms, model lifecycle ------------------------------------------------------------------------


def test_public_url_comes_with_reserved_concurrency(custom: Synth) -> None:
    props = custom.only("AWS::Lambda::Function")["Properties"]
    assert custom.only("AWS::Lambda::Url")["Properties"]["AuthType"] == "NONE"
    assert props["ReservedConcurrentExecutions"] == 5
    Annotations.from_stack(custom.stack).has_no_warning("*", Match.string_like_regexp("without reservedConcurrency"))


def test_public_url_without_a_cap_only_with_the_explicit_opt_out(tmp_path_factory: pytest.TempPathFactory) -> None:
    context = {**CDK_CONTEXT, "authType": "NONE", "allowPublicUrl": True, "allowUnreservedConcurrency": True}
    synth = Synth(context, tmp_path_factory.mktemp("cdkout-unreserved"), nag=True)
    assert "ReservedConcurrentExecutions" not in synth.only("AWS::Lambda::Function")["Properties"]
    Annotations.from_stack(synth.stack).has_warning("*", Match.string_like_regexp("without reservedConcurrency"))


def test_alarms_notify_the_configured_topic_and_a_new_e_mail_topic(default: Synth, custom: Synth) -> None:
    (topic_id,) = custom.template.find_resources("AWS::SNS::Topic")
    custom.template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": topic_id}}
    )
    alarms = custom.template.find_resources("AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 3
    for alarm in alarms:
        for key in ("AlarmActions", "OKActions"):
            assert alarm["Properties"][key] == [ALARM_TOPIC_ARN, {"Ref": topic_id}]
    for alarm in default.template.find_resources("AWS::CloudWatch::Alarm").values():
        assert "AlarmActions" not in alarm["Properties"]
    default.template.resource_count_is("AWS::SNS::Topic", 0)


def test_a_configured_model_past_its_end_of_life_is_a_synth_warning(default: Synth, custom: Synth) -> None:
    Annotations.from_stack(custom.stack).has_warning(
        "*", Match.string_like_regexp(f"{APAC_PROFILE} .* is past its end of life \\(2026-11-30\\)")
    )
    Annotations.from_stack(default.stack).has_no_warning("*", Match.string_like_regexp("end of life|Legacy"))


# -- cdk-nag and the asset ---------------------------------------------------------------------------------------


def test_cdk_nag_ran_and_found_nothing_unacknowledged(default: Synth) -> None:
    report = json.loads((default.outdir / "validation-report.json").read_text(encoding="utf-8"))
    assert report["pluginReports"] == []  # app.synth() above would have raised on any unacknowledged finding


def test_cdk_nag_reports_a_non_compliant_resource(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The gate is real: a bucket without access logs or TLS-only policy fails the synth with its rule ids."""
    outdir = tmp_path_factory.mktemp("cdkout-nag")
    app = App(context={**CDK_CONTEXT, "aws:cdk:bundling-stacks": []}, outdir=str(outdir))
    config = StackConfig.from_context(app.node.try_get_context)
    stack = BedrockStreamStack(app, "NagProbe", config=config, env=ENV, today=SYNTH_DAY)
    s3.Bucket(stack, "NonCompliantBucket")
    apply_checks(app, stack, config)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((outdir / "validation-report.json").read_text(encoding="utf-8"))
    violations = {
        violation["ruleName"]: [c["constructPath"] for c in violation["violatingConstructs"]]
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    }
    assert violations["AwsSolutions-S1"] == ["NagProbe/NonCompliantBucket/Resource"]
    assert "AwsSolutions-S10" in violations
    assert all(path.startswith("NagProbe/NonCompliantBucket") for paths in violations.values() for path in paths)


# -- app.py as the CDK CLI runs it ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def from_app(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python app.py`` with what the CDK CLI gives it offline: CDK_DEFAULT_REGION=us-east-1, no account."""
    outdir = tmp_path_factory.mktemp("cdkout-app")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CDK_", "AWS_"))}
    env |= {
        "CDK_DEFAULT_REGION": "us-east-1",
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps({**CDK_CONTEXT, "aws:cdk:bundling-stacks": []}),
    }
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]  # non-zero also when cdk-nag finds anything
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    template = json.loads((outdir / f"{CDK_CONTEXT['stackName']}.template.json").read_text(encoding="utf-8"))
    return {"manifest": manifest, "template": template}


def test_app_synth_follows_the_deployment_region_instead_of_the_cli_default(from_app: dict[str, Any]) -> None:
    artifact = from_app["manifest"]["artifacts"][CDK_CONTEXT["stackName"]]
    assert artifact["environment"] == "aws://unknown-account/unknown-region"
    template = from_app["template"]
    assert "us-east-1" not in json.dumps(template)
    policy = Template.from_json(template).find_resources("AWS::IAM::Policy")
    (document,) = [p["Properties"]["PolicyDocument"] for p in policy.values()]
    direct = next(s for s in document["Statement"] if s.get("Sid") == "Model0Direct")
    assert direct["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":bedrock:",
                {"Ref": "AWS::Region"},
                "::foundation-model/amazon.nova-micro-v1:0",
            ],
        ]
    }


def _staged_asset(synth: Synth) -> Path:
    code = synth.only("AWS::Lambda::Function")["Properties"]["Code"]
    key = code["S3Key"]
    asset_hash = key.removesuffix(".zip")
    path = synth.outdir / f"asset.{asset_hash}"
    assert path.is_dir(), sorted(p.name for p in synth.outdir.iterdir())
    return path


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_staged_asset_holds_exactly_the_function_code(default: Synth) -> None:
    staged = _files(_staged_asset(default))
    expected = {
        path
        for path in _files(FUNCTIONS_DIR)
        if path.split("/")[0] in sf.ASSET_TOP_LEVEL
        and "__pycache__" not in path.split("/")
        and not path.endswith((".pyc", ".pyo"))
        and not any(part.startswith(".") for part in path.split("/"))
    }
    assert staged == expected
    assert {path.split("/")[0] for path in staged} == {
        "bootstrap",
        "bedrock_stream",
        "streaming_runtime",
        "snapshot_restore_py.py",
    }
    assert "bedrock_stream/handler.py" in staged
    assert not any("__pycache__" in p or p.endswith(".pyc") or "/tests/" in f"/{p}" for p in staged)


def test_staged_bootstrap_keeps_its_executable_bit(default: Synth) -> None:
    mode = (_staged_asset(default) / "bootstrap").stat().st_mode
    assert mode & stat.S_IXUSR
    assert mode & stat.S_IXOTH
    tracked = subprocess.run(
        ["git", "ls-files", "-s", "functions/bootstrap"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    if tracked:  # the committed file mode is what a clean clone (CI) stages from
        assert tracked.startswith("100755 ")


def test_asset_excludes_caches_even_when_present(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A throwaway functions/ tree with caches and stray files stages only the function code."""
    src = tmp_path_factory.mktemp("functions-src")
    for name in ("bedrock_stream/__init__.py", "streaming_runtime/__init__.py", "bedrock_stream/schemas/a.json"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("# code\n", encoding="utf-8")
    (src / "bootstrap").write_text('#!/bin/sh\nexec "$@"\n', encoding="utf-8")
    os.chmod(src / "bootstrap", 0o755)
    for junk in (
        "bedrock_stream/__pycache__/x.cpython-311.pyc",
        "streaming_runtime/y.pyc",
        "tests/test_x.py",
        ".pytest_cache/v",
        "bedrock_stream/.mypy_cache/z",
        "README.md",
        "requirements.txt",
    ):
        (src / junk).parent.mkdir(parents=True, exist_ok=True)
        (src / junk).write_text("junk\n", encoding="utf-8")
    outdir = tmp_path_factory.mktemp("cdkout-asset")
    app = App(context={**CDK_CONTEXT, "aws:cdk:bundling-stacks": []}, outdir=str(outdir))
    config = StackConfig.from_context(app.node.try_get_context)
    stack = BedrockStreamStack(app, "AssetProbe", config=config, code_dir=src, env=ENV)
    app.synth()
    (asset,) = [p for p in outdir.iterdir() if p.name.startswith("asset.")]
    assert _files(asset) == {
        "bootstrap",
        "bedrock_stream/__init__.py",
        "bedrock_stream/schemas/a.json",
        "streaming_runtime/__init__.py",
    }
    assert (asset / "bootstrap").stat().st_mode & stat.S_IXUSR
    assert stack.stack_name == "AssetProbe"


# -- SnapStart --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapstart(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth({**CDK_CONTEXT, "snapStart": True}, tmp_path_factory.mktemp("cdkout-snapstart"), nag=True)


def test_snap_start_publishes_a_version_with_an_alias_and_the_url_serves_the_alias(snapstart: Synth) -> None:
    """AWS Lambda developer guide, snapstart-activate.html: SnapStart applies to published versions (ApplyOn
    PublishedVersions), so the Function URL must point at an alias of a published version, not at $LATEST."""
    function_id = next(iter(snapstart.template.find_resources("AWS::Lambda::Function")))
    assert snapstart.only("AWS::Lambda::Function")["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    version_id = next(iter(snapstart.template.find_resources("AWS::Lambda::Version")))
    assert snapstart.only("AWS::Lambda::Version")["Properties"]["FunctionName"] == {"Ref": function_id}
    alias = snapstart.only("AWS::Lambda::Alias")["Properties"]
    assert alias["Name"] == sf.SNAPSTART_ALIAS
    assert alias["FunctionName"] == {"Ref": function_id}
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    url = snapstart.only("AWS::Lambda::Url")["Properties"]
    assert url["Qualifier"] == sf.SNAPSTART_ALIAS
    assert url["InvokeMode"] == "RESPONSE_STREAM"


def test_without_snap_start_no_version_alias_or_qualifier(default: Synth) -> None:
    assert "SnapStart" not in default.only("AWS::Lambda::Function")["Properties"]
    assert default.template.find_resources("AWS::Lambda::Version") == {}
    assert default.template.find_resources("AWS::Lambda::Alias") == {}
    assert "Qualifier" not in default.only("AWS::Lambda::Url")["Properties"]
