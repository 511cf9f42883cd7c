"""The streaming Lambda function, its Function URL (RESPONSE_STREAM), logs, alarms and Bedrock permissions.

Sources: AWS Lambda developer guide, configuration-response-streaming.html and urls-auth.html (Function URLs, the
October 2025 dual permission); snapstart.html and snapstart-activate.html (SnapStart applies to published versions:
``snapStart`` publishes a version, points the alias ``live`` at it and serves the Function URL from the alias; AWS
CDK aws-lambda ``SnapStartConf.ON_PUBLISHED_VERSIONS``, ``Function.currentVersion``, ``Alias``);
monitoring-cloudwatchlogs-log-level.html (JSON logs); Powertools for AWS Lambda
(Python) install.md (layer SSM parameters); CloudWatch alarm actions: AWS CDK aws-cloudwatch-actions SnsAction.

The managed Python runtime cannot stream, so ``AWS_LAMBDA_EXEC_WRAPPER`` points at ``functions/bootstrap``, which
starts the project's own runtime loop (functions/streaming_runtime). The asset is the ``functions/`` folder as is:
no Docker, no bundling; boto3 comes from the managed runtime, Powertools and fastjsonschema from the Powertools layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aws_cdk import Duration, IgnoreMode, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.api_keys import ApiKeyTable, attach_api_keys, cors_allow_headers, url_auth_type
from infra.bedrock_access import Statement, Target, bedrock_statements, to_policy_statements
from infra.config import LOG_RETENTION_DAYS, StackConfig
from infra.managed_instances import add_capacity_provider

__all__ = [
    "ASSET_EXCLUDES",
    "ASSET_TOP_LEVEL",
    "ENV_DEFAULT_MAX_TOKENS",
    "ENV_DEFAULT_MODEL",
    "ENV_GUARDRAIL_ID",
    "ENV_GUARDRAIL_VERSION",
    "ENV_HEARTBEAT_SECONDS",
    "ENV_IDLE_TIMEOUT_SECONDS",
    "ENV_LOG_CONTENT",
    "ENV_MAX_BODY_BYTES",
    "ENV_MAX_TOKENS_CAP",
    "ENV_MODELS",
    "EXEC_WRAPPER",
    "HANDLER",
    "SNAPSTART_ALIAS",
    "StreamingFunction",
    "powertools_parameter_name",
]

# The function's settings (functions/bedrock_stream/settings.py). Infra never imports function code, so the names are
# repeated here; tests/infra cross-checks them against bedrock_stream.settings.ENV_VARS.
ENV_MODELS: Final = "BEDROCK_STREAM_MODELS"
ENV_DEFAULT_MODEL: Final = "BEDROCK_STREAM_DEFAULT_MODEL"
ENV_MAX_TOKENS_CAP: Final = "BEDROCK_STREAM_MAX_TOKENS_CAP"
ENV_DEFAULT_MAX_TOKENS: Final = "BEDROCK_STREAM_DEFAULT_MAX_TOKENS"
ENV_MAX_BODY_BYTES: Final = "BEDROCK_STREAM_MAX_BODY_BYTES"
ENV_GUARDRAIL_ID: Final = "BEDROCK_STREAM_GUARDRAIL_ID"
ENV_GUARDRAIL_VERSION: Final = "BEDROCK_STREAM_GUARDRAIL_VERSION"
ENV_LOG_CONTENT: Final = "BEDROCK_STREAM_LOG_CONTENT"
ENV_HEARTBEAT_SECONDS: Final = "BEDROCK_STREAM_HEARTBEAT_SECONDS"
ENV_IDLE_TIMEOUT_SECONDS: Final = "BEDROCK_STREAM_IDLE_TIMEOUT_SECONDS"

HANDLER: Final = "bedrock_stream.handler.handle"
SNAPSTART_ALIAS: Final = "live"
EXEC_WRAPPER: Final = "/var/task/bootstrap"

# What the asset holds: exactly these top-level entries of functions/, minus caches (gitignore syntax).
ASSET_TOP_LEVEL: Final = ("bootstrap", "bedrock_stream", "streaming_runtime", "snapshot_restore_py.py")
ASSET_EXCLUDES: Final = (
    "/*",
    *(f"!/{name}" for name in ASSET_TOP_LEVEL),
    "__pycache__/",
    "*.py[cod]",
    ".*",
    "tests/",
)


def powertools_parameter_name(*, architecture: str, python_runtime: str, version: str) -> str:
    """The public SSM parameter holding the Powertools v3 layer ARN for this Region, architecture and Python."""
    return f"/aws/service/powertools/python/{architecture}/{python_runtime}/{version}"


class StreamingFunction(Construct):
    """Python function streaming through its own runtime loop, exposed by a RESPONSE_STREAM Function URL."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, code_dir: Path) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.bedrock_statements: tuple[Statement, ...] = bedrock_statements(
            config.models,
            target=Target(partition=stack.partition, region=stack.region, account=stack.account),
            geo_regions=config.geo_regions,
            model_sources=config.model_sources,
            guardrail_id=config.guardrail.id if config.guardrail else None,
        )

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=_retention(config.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Own role instead of AWSLambdaBasicExecutionRole: logs only to this group, Bedrock only per the model list.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="bedrock-stream function: write its own logs, stream from the configured Bedrock models",
        )
        self.log_group.grant_write(self.role)
        for statement in to_policy_statements(self.bedrock_statements):
            self.role.add_to_principal_policy(statement)

        self.function = lambda_.Function(
            self,
            "Function",
            runtime=_runtime(config.python_runtime),
            architecture=_architecture(config.architecture),
            code=lambda_.Code.from_asset(str(code_dir), exclude=list(ASSET_EXCLUDES), ignore_mode=IgnoreMode.GIT),
            handler=HANDLER,
            role=self.role,
            memory_size=config.memory_mb,
            timeout=Duration.seconds(config.timeout_s),
            reserved_concurrent_executions=config.reserved_concurrency,
            layers=[self._powertools_layer(config)],
            environment=self._environment(config),
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE if config.xray_tracing else lambda_.Tracing.DISABLED,
            description="bedrock-stream: streams Amazon Bedrock output over a Function URL",
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if config.snap_start else None,
        )

        # Lambda Managed Instances: a capacity provider runs the function (infra/managed_instances.py).
        self.capacity_provider: lambda_.CapacityProvider | None = None
        if config.managed_instances is not None:
            self.capacity_provider = add_capacity_provider(
                self, self.function, config.managed_instances, architecture=_architecture(config.architecture)
            )
        self.api_keys: ApiKeyTable | None = attach_api_keys(self, config, self.function, self.role)

        # SnapStart and Managed Instances only run published versions: the URL serves an alias of the current version.
        self.alias: lambda_.Alias | None = None
        if config.snap_start or config.managed_instances is not None:
            self.alias = lambda_.Alias(self, "Alias", alias_name=SNAPSTART_ALIAS, version=self.function.current_version)
        url_target: lambda_.IFunction = self.alias if self.alias is not None else self.function
        self.url = url_target.add_function_url(
            auth_type=url_auth_type(config),
            invoke_mode=lambda_.InvokeMode.RESPONSE_STREAM,
            cors=_cors(config),
        )
        self.alarm_topics = self._alarm_topics(config)
        self.alarms = self._alarms(config)
        for alarm in self.alarms:
            for topic in self.alarm_topics:
                alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
                alarm.add_ok_action(cloudwatch_actions.SnsAction(topic))

    def _alarm_topics(self, config: StackConfig) -> list[sns.ITopic]:
        """Where alarm state changes go: an existing topic, and/or a new topic with an e-mail subscription."""
        topics: list[sns.ITopic] = []
        if config.alarm_topic_arn is not None:
            topics.append(sns.Topic.from_topic_arn(self, "AlarmTopicImported", config.alarm_topic_arn))
        if config.alarm_email is not None:
            topic = sns.Topic(self, "AlarmTopic", display_name="bedrock-stream alarms", enforce_ssl=True)
            topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
            topics.append(topic)
        return topics

    def _powertools_layer(self, config: StackConfig) -> lambda_.ILayerVersion:
        """Pinned layer: an explicit ARN if configured, else the semver SSM parameter resolved at deploy time."""
        arn = config.powertools_layer_arn or ssm.StringParameter.value_for_string_parameter(
            self,
            powertools_parameter_name(
                architecture=config.architecture,
                python_runtime=config.python_runtime,
                version=config.powertools_version,
            ),
        )
        return lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", arn)

    @staticmethod
    def _environment(config: StackConfig) -> dict[str, str]:
        env = {
            "AWS_LAMBDA_EXEC_WRAPPER": EXEC_WRAPPER,
            ENV_MODELS: ",".join(config.models),
            ENV_DEFAULT_MODEL: config.default_model,
            ENV_MAX_TOKENS_CAP: str(config.max_tokens_cap),
            ENV_DEFAULT_MAX_TOKENS: str(config.default_max_tokens),
            ENV_MAX_BODY_BYTES: str(config.max_body_bytes),
            ENV_LOG_CONTENT: "true" if config.log_content else "false",
            ENV_HEARTBEAT_SECONDS: f"{config.heartbeat_s:g}",
            ENV_IDLE_TIMEOUT_SECONDS: f"{config.idle_timeout_s:g}",
        }
        if config.guardrail is not None:
            env[ENV_GUARDRAIL_ID] = config.guardrail.id
            env[ENV_GUARDRAIL_VERSION] = config.guardrail.version
        return env

    def _alarms(self, config: StackConfig) -> list[cloudwatch.Alarm]:
        """Errors, throttles, and p99 duration close to the timeout (streams cut off by the timeout)."""
        period = Duration.minutes(5)
        near_timeout_ms = config.timeout_s * 1000 * 0.9
        specs = [
            ("Errors", self.function.metric_errors(period=period), 1, "function errors (incl. failed streams)"),
            ("Throttles", self.function.metric_throttles(period=period), 1, "invocations throttled"),
            (
                "DurationNearTimeout",
                self.function.metric_duration(period=period, statistic="p99"),
                near_timeout_ms,
                "p99 duration above 90% of the timeout",
            ),
        ]
        return [
            cloudwatch.Alarm(
                self,
                f"{name}Alarm",
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"bedrock-stream: {description}",
            )
            for name, metric, threshold, description in specs
        ]


def _cors(config: StackConfig) -> lambda_.FunctionUrlCorsOptions | None:
    """The URL's own CORS: Lambda answers preflights and adds the headers, the function never does."""
    cors = config.cors
    if cors is None:
        return None
    return lambda_.FunctionUrlCorsOptions(
        allowed_origins=list(cors.allow_origins),
        allowed_methods=[lambda_.HttpMethod.ALL if m == "*" else lambda_.HttpMethod[m] for m in cors.allow_methods],
        allowed_headers=list(cors_allow_headers(config)),
        exposed_headers=list(cors.expose_headers) or None,
        max_age=Duration.seconds(cors.max_age),
        allow_credentials=cors.allow_credentials,
    )


def _runtime(name: str) -> lambda_.Runtime:
    return {"python3.13": lambda_.Runtime.PYTHON_3_13, "python3.14": lambda_.Runtime.PYTHON_3_14}[name]


def _architecture(name: str) -> lambda_.Architecture:
    return {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}[name]


def _retention(days: int) -> logs.RetentionDays:
    return logs.RetentionDays[LOG_RETENTION_DAYS[days]]
