"""StackConfig: cdk.json defaults, -c string values, and clear validation errors (pure, no synth)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_logs as logs

from infra.config import (
    CONTEXT_KEYS,
    DEFAULT_CORS_HEADERS,
    LOG_RETENTION_DAYS,
    ConfigError,
    CorsConfig,
    GuardrailConfig,
    StackConfig,
)
from infra.model_lifecycle import lifecycle_warnings
from infra.regions import GEO_DESTINATION_REGIONS

ROOT = Path(__file__).resolve().parents[2]
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]


def load(**context: Any) -> StackConfig:
    return StackConfig.from_context(context.get)


def problems(**context: Any) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        load(**context)
    return info.value.problems


def test_cdk_json_defaults() -> None:
    config = StackConfig.from_context(CDK_CONTEXT.get)
    assert config.auth_type == "AWS_IAM"
    assert config.architecture == "arm64"
    assert config.reserved_concurrency is None
    assert config.guardrail is None
    prefixes = {model.split(".")[0] for model in config.models}
    assert {"global", "amazon"} <= prefixes  # a global profile and an in-Region model: deployable in any Region
    assert config.default_model in config.models
    assert not lifecycle_warnings(
        config.models, geo_regions=config.geo_regions, model_sources=config.model_sources, today=dt.date(2026, 12, 2)
    )


def test_every_cdk_json_app_key_is_documented() -> None:
    app_keys = {key for key in CDK_CONTEXT if not key.startswith("@aws-cdk")}
    assert app_keys <= set(CONTEXT_KEYS)


def test_every_retention_period_names_its_cdk_member() -> None:
    names = list(LOG_RETENTION_DAYS.values())
    assert len(set(names)) == len(names)
    assert [logs.RetentionDays[name].name for name in names] == names
    assert {logs.RetentionDays[name] for name in names} == set(logs.RetentionDays) - {logs.RetentionDays.INFINITE}
    assert load(models=["amazon.nova-micro-v1:0"], logRetentionDays="3653").log_retention_days == 3653  # ten years


def test_minimal_context_gets_safe_defaults() -> None:
    config = load(models=["amazon.nova-micro-v1:0"])
    assert config.default_model == "amazon.nova-micro-v1:0"
    assert (config.auth_type, config.allow_public_url, config.cors) == ("AWS_IAM", False, None)
    assert dict(config.geo_regions) == dict(GEO_DESTINATION_REGIONS)


def test_command_line_strings_are_parsed() -> None:
    config = load(
        models="amazon.nova-micro-v1:0, us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        memoryMb="1024",
        reservedConcurrency="5",
        cors='{"allowOrigins": ["https://app.example.com", "http://localhost:8501"]}',
        guardrail='{"id": "gr0abc", "version": "2"}',
        geoRegions='{"ca": ["ca-central-1", "ca-west-1"]}',
        logContent="true",
    )
    assert config.models == ("amazon.nova-micro-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert (config.memory_mb, config.reserved_concurrency, config.log_content) == (1024, 5, True)
    assert config.cors == CorsConfig(allow_origins=("https://app.example.com", "http://localhost:8501"))
    assert config.guardrail == GuardrailConfig(id="gr0abc", version="2")
    assert config.geo_regions["ca"] == ("ca-central-1", "ca-west-1")
    assert config.geo_regions["us"] == GEO_DESTINATION_REGIONS["us"]


def test_public_url_is_refused_without_the_opt_in() -> None:
    (problem,) = problems(models=["amazon.nova-micro-v1:0"], authType="NONE", reservedConcurrency=5)
    assert "authType: NONE" in problem
    assert "allowPublicUrl=true" in problem


def test_public_url_is_allowed_with_the_opt_in() -> None:
    config = load(models=["amazon.nova-micro-v1:0"], authType="NONE", allowPublicUrl=True, reservedConcurrency=5)
    assert (config.auth_type, config.allow_public_url, config.reserved_concurrency) == ("NONE", True, 5)


def test_public_url_needs_reserved_concurrency_or_the_explicit_opt_out() -> None:
    (problem,) = problems(models=["amazon.nova-micro-v1:0"], authType="NONE", allowPublicUrl=True)
    assert problem.startswith("reservedConcurrency: authType NONE")
    assert "allowUnreservedConcurrency=true" in problem
    config = load(
        models=["amazon.nova-micro-v1:0"], authType="NONE", allowPublicUrl="true", allowUnreservedConcurrency="true"
    )
    assert (config.reserved_concurrency, config.allow_unreserved_concurrency) == (None, True)
    assert load(models=["amazon.nova-micro-v1:0"]).reserved_concurrency is None  # AWS_IAM needs no cap


def test_alarm_notification_targets() -> None:
    topic = "arn:aws:sns:eu-west-1:111122223333:ops-alerts"
    config = load(models=["amazon.nova-micro-v1:0"], alarmTopicArn=topic, alarmEmail="ops@example.com")
    assert (config.alarm_topic_arn, config.alarm_email) == (topic, "ops@example.com")
    assert (
        load(models=["amazon.nova-micro-v1:0"]).alarm_topic_arn,
        load(models=["amazon.nova-micro-v1:0"]).alarm_email,
    ) == (None, None)
    found = problems(models=["amazon.nova-micro-v1:0"], alarmTopicArn="ops-alerts", alarmEmail="not-an-address")
    assert found == (
        "alarmTopicArn: 'ops-alerts' is not an SNS topic ARN",
        "alarmEmail: 'not-an-address' is not an e-mail address",
    )


def test_all_problems_are_reported_together_naming_the_keys() -> None:
    found = problems(
        models=["amazon.nova-micro-v1:0", "xx.anthropic.claude-v2:1"],
        defaultModel="amazon.titan-text-lite-v1",
        memoryMb=64,
        timeoutSeconds="a while",
        architecture="ppc64",
        logRetentionDays=42,
        maxTokensCap=100,
        defaultMaxTokens=200,
        cors={"allowOrigins": ["https://app.example.com/path"]},
        guardrail={"id": "GR"},
        powertoolsVersion="latest",
    )
    text = "\n".join(found)
    for expected in (
        "unknown cross-Region inference geography 'xx'",
        "defaultModel: 'amazon.titan-text-lite-v1' is not one of models",
        "memoryMb: 64 is outside 128..10240",
        "timeoutSeconds: expected an integer",
        "architecture: 'ppc64' is not one of arm64, x86_64",
        "logRetentionDays: 42",
        "defaultMaxTokens: 200 exceeds maxTokensCap 100",
        "cors.allowOrigins: 'https://app.example.com/path'",
        "guardrail: expected",
        "powertoolsVersion: 'latest' is not a semver",
    ):
        assert expected in text
    assert len(found) == 10


def test_cors_defaults_to_get_post_and_the_sigv4_headers() -> None:
    config = load(models=["amazon.nova-micro-v1:0"], cors={"allowOrigins": ["https://app.example.com"]})
    assert config.cors is not None
    assert (config.cors.allow_methods, config.cors.allow_headers) == (("GET", "POST"), DEFAULT_CORS_HEADERS)
    assert (config.cors.expose_headers, config.cors.max_age, config.cors.allow_credentials) == (
        ("x-request-id", "x-ignored-params", "x-token-count"),
        3600,
        False,
    )
    assert load(models=["amazon.nova-micro-v1:0"], cors={}).cors is None


def test_cors_takes_every_field_of_the_lambda_cors_type() -> None:
    config = load(
        models=["amazon.nova-micro-v1:0"],
        cors={
            "allowOrigins": ["https://app.example.com"],
            "allowMethods": ["post", "*"],
            "allowHeaders": ["content-type", "x-custom"],
            "exposeHeaders": ["x-request-id"],
            "maxAge": 0,
            "allowCredentials": True,
        },
    )
    assert config.cors == CorsConfig(
        allow_origins=("https://app.example.com",),
        allow_methods=("POST", "*"),
        allow_headers=("content-type", "x-custom"),
        expose_headers=("x-request-id",),
        max_age=0,
        allow_credentials=True,
    )


def test_cors_problems_name_the_field() -> None:
    found = problems(
        models=["amazon.nova-micro-v1:0"],
        cors={
            "allowOrigins": ["*"],
            "allowMethods": ["GET", "TRACE"],
            "allowHeaders": ["bad header"],
            "maxAge": 86401,
            "allowCredentials": True,
        },
    )
    assert found == (
        "cors.allowMethods: 'TRACE' is not one of GET, PUT, HEAD, POST, PATCH, DELETE, *",
        "cors.allowHeaders: 'bad header' is not an HTTP header name",
        "cors.maxAge: expected whole seconds in 0..86400, got 86401",
        "cors.allowCredentials: browsers refuse credentials with allowOrigins *; list the origins",
    )
    assert problems(models=["amazon.nova-micro-v1:0"], cors={"allowOrigin": ["https://a.example"]})[0].startswith(
        "cors: expected an object with some of allowOrigins"
    )
    assert problems(models=["amazon.nova-micro-v1:0"], cors={"allowMethods": ["GET"]}) == (
        "cors.allowOrigins: list at least one origin (or leave cors unset for no CORS)",
    )
    assert problems(models=["amazon.nova-micro-v1:0"], corsOrigins=["https://a.example"])[0].startswith(
        "corsOrigins: replaced by cors"
    )


def test_models_are_required() -> None:
    assert any("models: list at least one" in p for p in problems())


def test_application_profile_needs_its_source() -> None:
    arn = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc"
    assert any("modelSources" in p for p in problems(models=[arn]))
    config = load(models=[arn], modelSources={arn: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"})
    assert config.model_sources == {arn: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}


def test_config_error_message_is_readable() -> None:
    with pytest.raises(ConfigError, match=r"invalid bedrock-stream configuration \(CDK context\):\n  - memoryMb"):
        load(models=["amazon.nova-micro-v1:0"], memoryMb=1)


def test_app_refuses_a_public_url_without_the_opt_in_before_synthesizing(tmp_path: Path) -> None:
    """app.py as the CDK CLI runs it (context in CDK_CONTEXT_JSON): exits non-zero with the reason, no template."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({**CDK_CONTEXT, "authType": "NONE"}),
        "CDK_OUTDIR": str(tmp_path / "out"),
    }
    done = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert "authType: NONE" in done.stderr
    assert "allowPublicUrl=true" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.rglob("*.template.json"))


def test_snap_start_is_off_by_default_and_read_from_the_command_line() -> None:
    assert load(models=["amazon.nova-micro-v1:0"]).snap_start is False
    assert load(models=["amazon.nova-micro-v1:0"], snapStart="true").snap_start is True
    assert load(models=["amazon.nova-micro-v1:0"], snapStart=True).snap_start is True


def test_the_emulators_cors_defaults_are_the_stacks() -> None:
    """``python -m emulator --cors-origin X`` behaves as ``cors: {"allowOrigins": [X]}`` deploys."""
    from emulator import cli

    defaults = CorsConfig(allow_origins=("https://a.example",))
    assert (defaults.allow_methods, defaults.allow_headers) == (cli.DEFAULT_CORS_METHODS, cli.DEFAULT_CORS_HEADERS)
    emulated = cli.cors_from_args(cli.build_parser().parse_args(["--cors-origin", "https://a.example"]))
    assert emulated is not None
    assert (emulated.max_age, emulated.allow_credentials, emulated.expose_headers) == (
        defaults.max_age,
        defaults.allow_credentials,
        defaults.expose_headers,
    )


def test_heartbeat_defaults_to_15_s_and_the_idle_timeout_to_off() -> None:
    config = StackConfig.from_context(CDK_CONTEXT.get)
    assert (config.heartbeat_s, config.idle_timeout_s) == (15.0, 0.0)
    given = load(models=["amazon.nova-micro-v1:0"], heartbeatSeconds="0.2", idleTimeoutSeconds=120)
    assert (given.heartbeat_s, given.idle_timeout_s) == (0.2, 120.0)
    assert load(models=["amazon.nova-micro-v1:0"], heartbeatSeconds=0).heartbeat_s == 0.0


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"heartbeatSeconds": "soon"}, "heartbeatSeconds: expected a number of seconds"),
        ({"heartbeatSeconds": -1}, "heartbeatSeconds: -1 is outside 0 (off)"),
        ({"idleTimeoutSeconds": 300}, "idleTimeoutSeconds: 300 is outside 0 (off) .. below timeoutSeconds (300)"),
        ({"heartbeatSeconds": 20, "idleTimeoutSeconds": 10}, "idleTimeoutSeconds: 10 must exceed heartbeatSeconds 20"),
    ],
)
def test_bad_heartbeat_or_idle_timeout_is_reported(context: dict[str, Any], message: str) -> None:
    (problem,) = problems(models=["amazon.nova-micro-v1:0"], **context)
    assert message in problem
