"""How the function process is started (argv and environment) and the CLI's option parsing: pure."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from emulator import BedrockOptions
from emulator.cli import build_parser, cors_from_args
from emulator.cors import CorsConfig
from emulator.launcher import FAKE_CREDENTIALS, FunctionConfig, app_defaults, build_argv, build_env, split_env_items

PARENT = {"PATH": "/usr/bin:/bin", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "real-secret", "AWS_PROFILE": "prod"}


def test_argv_is_the_exec_wrapper_with_interpreter_and_stock_bootstrap() -> None:
    config = FunctionConfig(task_root=Path("/task"))
    assert build_argv(config) == ["/task/bootstrap", sys.executable, "/var/runtime/bootstrap.py"]
    assert build_argv(FunctionConfig(command=("node", "ric.mjs", "index.handler"))) == [
        "node",
        "ric.mjs",
        "index.handler",
    ]


def test_environment_has_the_reserved_lambda_variables_and_not_the_parents() -> None:
    config = FunctionConfig(handler="m.f", timeout_s=9, memory_mb=256, task_root=Path("/task"), env={"X": "1"})
    env = build_env(config, "127.0.0.1:9001", parent=PARENT)
    assert env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert env["_HANDLER"] == "m.f"
    assert env["LAMBDA_TASK_ROOT"] == "/task"
    assert env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "bedrock-stream-local"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/bedrock-stream-local"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"].startswith("AWS_Lambda_python3.")
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == "/task/bootstrap"
    assert env["TZ"] == ":UTC"
    assert env["PATH"] == "/usr/bin:/bin"
    assert env["X"] == "1"
    assert "HOME" not in env
    assert "AWS_PROFILE" not in env
    assert env["AWS_SECRET_ACCESS_KEY"] == FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]


def test_custom_command_has_no_python_execution_env_and_extra_paths_become_pythonpath() -> None:
    config = FunctionConfig(command=("node",), extra_paths=("/a", "/b"))
    env = build_env(config, "h:1", parent=PARENT, credentials=False)
    assert "AWS_EXECUTION_ENV" not in env
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["PYTHONPATH"] == "/a:/b"


def test_env_items_and_bedrock_specs() -> None:
    assert split_env_items(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        split_env_items(["nope"])
    assert BedrockOptions.parse("stub", token_delay_ms=5) == BedrockOptions("stub", None, 0, 5)
    assert BedrockOptions.parse("replay:/tmp/x.bin") == BedrockOptions("replay", "/tmp/x.bin")
    assert BedrockOptions.parse("aws").mode == "aws"
    with pytest.raises(ValueError, match="replay:PATH"):
        BedrockOptions.parse("replay:")


def test_cli_options() -> None:
    args = build_parser().parse_args(
        ["--port", "0", "--env", "A=1", "--env", "B=2", "--concurrency", "3", "--command", "node", "ric.mjs", "x.y"]
    )
    assert (args.port, args.env, args.concurrency) == (0, ["A=1", "B=2"], 3)
    assert args.command == ["node", "ric.mjs", "x.y"]
    defaults = build_parser().parse_args([])
    assert (defaults.host, defaults.port, defaults.bedrock, defaults.timeout) == ("127.0.0.1", 3000, "stub", 60.0)


def test_log_format_and_level_default_to_the_stacks_and_are_configurable() -> None:
    env = build_env(FunctionConfig(), "h:1", parent=PARENT)
    assert (env["AWS_LAMBDA_LOG_FORMAT"], env["AWS_LAMBDA_LOG_LEVEL"]) == ("JSON", "INFO")
    debug = build_env(FunctionConfig(log_level="DEBUG"), "h:1", parent=PARENT)
    assert debug["AWS_LAMBDA_LOG_LEVEL"] == "DEBUG"
    text = build_env(FunctionConfig(log_format="Text"), "h:1", parent=PARENT)
    assert text["AWS_LAMBDA_LOG_FORMAT"] == "Text"
    assert "AWS_LAMBDA_LOG_LEVEL" not in text  # Lambda filters by level only in JSON format
    with pytest.raises(ValueError, match="log format"):
        FunctionConfig(log_format="json")
    args = build_parser().parse_args(["--log-format", "Text", "--log-level", "WARN"])
    assert (args.log_format, args.log_level) == ("Text", "WARN")


def test_cors_options() -> None:
    assert cors_from_args(build_parser().parse_args([])) is None
    args = build_parser().parse_args(
        [
            "--cors-origin",
            "https://a.example",
            "--cors-origin",
            "http://localhost:8501",
            "--cors-allow-method",
            "post",
            "--cors-allow-header",
            "content-type",
            "--cors-expose-header",
            "x-request-id",
            "--cors-max-age",
            "0",
            "--cors-allow-credentials",
        ]
    )
    assert cors_from_args(args) == CorsConfig(
        allow_origins=("https://a.example", "http://localhost:8501"),
        allow_methods=("POST",),
        allow_headers=("content-type",),
        expose_headers=("x-request-id",),
        max_age=0,
        allow_credentials=True,
    )
    defaults = cors_from_args(build_parser().parse_args(["--cors-origin", "*"]))
    assert defaults is not None
    assert (defaults.allow_methods, defaults.max_age, defaults.allow_credentials) == (("GET", "POST"), 3600, False)
    for bad in (["--cors-max-age", "5"], ["--cors-origin", "*", "--cors-allow-credentials"]):
        with pytest.raises(ValueError, match="cors"):
            cors_from_args(build_parser().parse_args(bad))


def test_app_defaults_carry_the_models_and_pacing_of_cdk_json(tmp_path: Path) -> None:
    cdk_json = tmp_path / "cdk.json"
    context = {"models": ["m1", "m2"], "defaultModel": "m1", "heartbeatSeconds": 15, "idleTimeoutSeconds": 0.5}
    cdk_json.write_text(json.dumps({"context": {**context, "memorySize": 512}}), encoding="utf-8")
    assert app_defaults(cdk_json) == {
        "BEDROCK_STREAM_MODELS": "m1,m2",
        "BEDROCK_STREAM_DEFAULT_MODEL": "m1",
        "BEDROCK_STREAM_HEARTBEAT_SECONDS": "15",
        "BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS": "0.5",
    }


def test_managed_instances_set_aws_lambda_max_concurrency_and_refuse_what_lambda_refuses() -> None:
    """Lambda Managed Instances (lambda-managed-instances-python-runtime.html): the slot count reaches the runtime as
    ``AWS_LAMBDA_MAX_CONCURRENCY`` (awslambdaric/lambda_config.py); JSON logs only, no SnapStart."""
    assert "AWS_LAMBDA_MAX_CONCURRENCY" not in build_env(FunctionConfig(), "127.0.0.1:9001", parent={})
    env = build_env(FunctionConfig(max_concurrency=8), "127.0.0.1:9001", parent={})
    assert env["AWS_LAMBDA_MAX_CONCURRENCY"] == "8"
    assert build_parser().parse_args(["--max-concurrency", "8"]).max_concurrency == 8
    assert build_parser().parse_args([]).max_concurrency is None
    with pytest.raises(ValueError, match="at least 1"):
        FunctionConfig(max_concurrency=0)
    with pytest.raises(ValueError, match="SnapStart is not available"):
        FunctionConfig(max_concurrency=2, snapstart=True)
    with pytest.raises(ValueError, match="always log JSON"):
        FunctionConfig(max_concurrency=2, log_format="Text")
