"""How the function process is started: argv and environment exactly as Lambda sets them.

Reserved variables per the AWS Lambda developer guide, configuration-envvars.html#configuration-envvars-runtime; the
exec-wrapper argv per runtimes-modify.html#runtime-wrapper (docs/lambda-streaming.md, "Starting on the managed Python
runtime"): the managed Python runtime runs ``$AWS_LAMBDA_EXEC_WRAPPER <python> /var/runtime/bootstrap.py``. The parent's
environment is not inherited, only ``PATH`` (and the caller's AWS credentials in ``aws`` pass-through mode).

Logging controls as the stack sets them (infra/streaming_function.py: JSON format, application level INFO), per
monitoring-cloudwatchlogs-advanced.html: ``AWS_LAMBDA_LOG_FORMAT`` is the format (``JSON`` or ``Text``);
``AWS_LAMBDA_LOG_LEVEL`` carries the application log level, which Lambda applies only to JSON logs.

Lambda Managed Instances (``max_concurrency``): ``AWS_LAMBDA_MAX_CONCURRENCY`` is set, as AWS's Python runtime client
reads it (aws/aws-lambda-python-runtime-interface-client, awslambdaric/lambda_config.py); such functions always log
JSON and cannot use SnapStart (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-python-runtime.html).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "LOG_FORMATS",
    "LOG_LEVELS",
    "REPO_ROOT",
    "FunctionConfig",
    "app_defaults",
    "build_argv",
    "build_env",
    "split_env_items",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAP_START = "snap-start"
"""``AWS_LAMBDA_INITIALIZATION_TYPE`` of a SnapStart init (configuration-envvars.html; snapstart.html)."""
_PASS_THROUGH = ("PATH",)
LOG_FORMATS = ("JSON", "Text")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAEMULATOREXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "emulator/secret/access/key/not/real/EXAMPLE",
    "AWS_SESSION_TOKEN": "emulator-session-token",
}


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """What Lambda knows about the function: handler, limits, identity and the user's environment."""

    handler: str = "bedrock_stream.handler.handle"
    timeout_s: float = 60.0
    memory_mb: int = 512
    function_name: str = "bedrock-stream-local"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    task_root: Path = REPO_ROOT / "functions"
    command: tuple[str, ...] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    extra_paths: tuple[str, ...] = ()
    snapstart: bool = False
    log_format: str = "JSON"
    log_level: str | None = "INFO"
    max_concurrency: int | None = None
    """Lambda Managed Instances: invocations one execution environment serves at once (None: standard Lambda)."""

    def __post_init__(self) -> None:
        if self.max_concurrency is not None:
            _check_managed_instances(self)
        if self.log_format not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {self.log_format!r}")
        if self.log_level is not None and self.log_level not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}")

    @property
    def function_arn(self) -> str:
        """The unqualified function ARN."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"


def build_argv(config: FunctionConfig) -> list[str]:
    """``[<task_root>/bootstrap, <python>, /var/runtime/bootstrap.py]``, or the custom ``command``."""
    if config.command:
        return list(config.command)
    return [str(config.task_root / "bootstrap"), sys.executable, "/var/runtime/bootstrap.py"]


def build_env(
    config: FunctionConfig, runtime_api: str, *, parent: Mapping[str, str] | None = None, credentials: bool = True
) -> dict[str, str]:
    """The function's environment. ``credentials=False`` leaves AWS credentials to ``config.env`` (pass-through)."""
    source = os.environ if parent is None else parent
    env = {name: source[name] for name in _PASS_THROUGH if name in source}
    stream_id = uuid.uuid4().hex
    env.update(
        {
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "_HANDLER": config.handler,
            "LAMBDA_TASK_ROOT": str(config.task_root),
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d/", time.gmtime()) + f"[$LATEST]{stream_id}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "AWS_LAMBDA_LOG_FORMAT": config.log_format,
        }
    )
    if config.log_format == "JSON" and config.log_level is not None:
        env["AWS_LAMBDA_LOG_LEVEL"] = config.log_level
    if not config.command:
        env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}"
        env["AWS_LAMBDA_EXEC_WRAPPER"] = str(config.task_root / "bootstrap")
    if credentials:
        env.update(FAKE_CREDENTIALS)
    if config.max_concurrency is not None:
        env[MAX_CONCURRENCY_ENV] = str(config.max_concurrency)
    if config.snapstart:
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = SNAP_START  # the runtime takes part in the snapshot handshake
    if config.extra_paths:
        env["PYTHONPATH"] = os.pathsep.join(config.extra_paths)
    env.update(config.env)
    return env


MAX_CONCURRENCY_ENV = "AWS_LAMBDA_MAX_CONCURRENCY"


def _check_managed_instances(config: FunctionConfig) -> None:
    """Raise ValueError for a Lambda Managed Instances configuration Lambda would refuse."""
    if config.max_concurrency is None or config.max_concurrency < 1:
        raise ValueError(f"max concurrency must be at least 1, got {config.max_concurrency}")
    if config.snapstart:
        raise ValueError("SnapStart is not available with Lambda Managed Instances (--max-concurrency)")
    if config.log_format != "JSON":
        raise ValueError("Lambda Managed Instances functions always log JSON (--log-format JSON)")


def app_defaults(cdk_json: Path = REPO_ROOT / "cdk.json") -> dict[str, str]:
    """The app's model and pacing settings from the CDK context (the single source of truth), as function env
    vars, so ``make dev`` streams as the deployed stack does."""
    try:
        context = json.loads(cdk_json.read_text(encoding="utf-8")).get("context", {})
    except (OSError, ValueError):
        return {}
    env: dict[str, str] = {}
    models = context.get("models")
    if isinstance(models, list) and models:
        env["BEDROCK_STREAM_MODELS"] = ",".join(str(m) for m in models)
    if isinstance(context.get("defaultModel"), str):
        env["BEDROCK_STREAM_DEFAULT_MODEL"] = context["defaultModel"]
    for key, name in _PACING_KEYS.items():
        value = context.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            env[name] = str(value)
    return env


_PACING_KEYS = {
    "heartbeatSeconds": "BEDROCK_STREAM_HEARTBEAT_SECONDS",
    "idleTimeoutSeconds": "BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS",
}
"""CDK context key -> the function setting it becomes (as ``infra/streaming_function.py`` sets it)."""


def split_env_items(items: Sequence[str]) -> dict[str, str]:
    """Parse ``KEY=VALUE`` items (the CLI's ``--env``); raises ValueError on a malformed item."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--env expects KEY=VALUE, got {item!r}")
        parsed[key] = value
    return parsed
