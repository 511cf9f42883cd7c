"""The optional API Gateway front door (``frontDoor: "apiGateway"``): a Regional REST API that streams the function.

Sources (API Gateway developer guide):

- response streaming for proxy integrations, its limits (15-minute streams, 5-minute idle timeout on Regional
  endpoints, 30 s on edge-optimized ones, the first 10 MB uncapped then 2 MB/s, no caching, content encoding or VTL
  response mapping): https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html
- the Lambda proxy integration for streaming, invoked through ``InvokeWithResponseStream``, whose integration URI is
  ``arn:<partition>:apigateway:<region>:lambda:path/2021-11-15/functions/<function ARN>/response-streaming-invocations``
  and whose output is the HTTP-integration prelude (JSON, 8 NUL bytes, body):
  https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html
- API keys and usage plans (``x-api-key``, ``apiKeyRequired``):
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
- access logs and ``$context`` variables:
  https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html and
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
- the Lambda permission for API Gateway, scoped by ``SourceArn`` to the API's execute-api ARN:
  https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
- integration timeouts above 29 s: for buffered integrations AWS allows them on Regional and private APIs only and
  may lower the account's throttle quota (https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/);
  a streamed integration may run up to 15 minutes without a quota increase (response-transfer-mode.html). The API
  is Regional for both reasons.

The integration is built explicitly (type ``AWS_PROXY``, the streaming URI above, ``responseTransferMode: STREAM``)
rather than through ``LambdaIntegration``, so that the one Lambda permission is ours: principal
``apigateway.amazonaws.com``, source ``arn:...:execute-api:<region>:<account>:<api id>/<stage>/*/*``.
The Function URL stays, AWS_IAM only (infra/config.py refuses another authType in this mode): the API key is this
door's only credential, and IAM principals keep a direct door without API Gateway's bandwidth cap.
"""

from __future__ import annotations

import json
from typing import Final

from aws_cdk import Acknowledgment, Annotations, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.api_gateway_config import ApiGatewayConfig
from infra.config import LOG_RETENTION_DAYS

__all__ = [
    "ACCESS_LOG_FIELDS",
    "METHODS",
    "OUTPUT_API_KEY_IDS",
    "OUTPUT_API_URL",
    "STREAMING_API_VERSION",
    "ApiGatewayFront",
    "acknowledgements",
    "streaming_integration_uri",
]

# Output keys; client.discovery.API_URL_OUTPUT_KEY repeats the URL's (the client never imports infra).
OUTPUT_API_URL: Final = "ApiUrl"
OUTPUT_API_KEY_IDS: Final = "ApiKeyIds"

METHODS: Final = ("GET", "POST")
"""The methods of the surfaces table (functions/bedrock_stream/surfaces.py), on ``/`` and ``/{proxy+}``; the function
answers 404/405 for the rest itself."""
STREAMING_API_VERSION: Final = "2021-11-15"
"""The Lambda API version of ``InvokeWithResponseStream`` in the integration URI."""
ACCESS_LOG_FIELDS: Final = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp",
    "apiKeyId": "$context.identity.apiKeyId",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "path": "$context.path",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "integrationStatus": "$context.integration.status",
    "integrationError": "$context.integration.error",
    "errorMessage": "$context.error.message",
    "wafResponse": "$context.waf.status",
}
"""One JSON access-log line per request: who (key id, never the key), what, how it ended."""
REGIONAL_IDLE_TIMEOUT_S: Final = 300
"""API Gateway closes a Regional stream silent for 5 minutes (response-transfer-mode.html)."""


def acknowledgements(config: ApiGatewayConfig) -> list[Acknowledgment]:
    """The cdk-nag findings of this front door that are intended, each with its reason (infra/checks.py)."""
    acks = [
        Acknowledgment(
            id="AwsSolutions-APIG4",
            reason="every method requires an API key (apiKeyRequired) of the usage plan: frontDoor apiGateway's auth",
        ),
        Acknowledgment(
            id="AwsSolutions-COG4",
            reason="API keys with a usage plan are this front door's auth; it has no Cognito user pool",
        ),
        Acknowledgment(
            id="AwsSolutions-APIG2",
            reason=(
                "the function validates every body against its JSON Schemas and answers in each route's own error "
                "shape; API Gateway models would duplicate them"
            ),
        ),
    ]
    if config.cloud_watch_role:
        acks.append(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="the Region's API Gateway account role for the access and error logs, with AWS's own policy",
            )
        )
    if config.web_acl_arn is None:
        acks.append(
            Acknowledgment(
                id="AwsSolutions-APIG3",
                reason="no apiGateway.webAclArn configured; the usage plan throttles each key (set one to attach WAF)",
            )
        )
    return acks


def streaming_integration_uri(stack: Stack, function_arn: str) -> str:
    """The ``InvokeWithResponseStream`` integration URI of ``function_arn`` (response-transfer-mode-lambda.html)."""
    return (
        f"arn:{stack.partition}:apigateway:{stack.region}:lambda:path/{STREAMING_API_VERSION}/functions/"
        f"{function_arn}/response-streaming-invocations"
    )


class ApiGatewayFront(Construct):
    """REST API ``/`` + ``/{proxy+}`` (GET, POST) -> the function, streamed; API keys, usage plan, access logs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ApiGatewayConfig,
        target: lambda_.IFunction,
        log_retention_days: int,
        heartbeat_s: float,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        if not 0 < heartbeat_s < REGIONAL_IDLE_TIMEOUT_S:
            Annotations.of(self).add_warning_v2(
                "bedrock-stream:api-gateway-idle",
                f"heartbeatSeconds {heartbeat_s:g}: API Gateway closes a stream silent for "
                f"{REGIONAL_IDLE_TIMEOUT_S} s; a model that thinks longer before its first token loses the stream",
            )
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays[LOG_RETENTION_DAYS[log_retention_days]],
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.api = apigw.RestApi(
            self,
            "Api",
            description="bedrock-stream: streams Amazon Bedrock output (API Gateway response streaming)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Access logs need the Region's API Gateway account role (AWS-managed policy). It is one setting per
            # Region, shared by every API there, so the role is retained on destroy (CDK's default): deleting it
            # would break the logs of the other APIs. cloudWatchRole false: the account already has one.
            cloud_watch_role=config.cloud_watch_role,
            api_key_source_type=apigw.ApiKeySourceType.HEADER,
            deploy_options=apigw.StageOptions(
                stage_name=config.stage_name,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # would log request bodies (prompts) and keys
                metrics_enabled=True,
            ),
        )
        integration = apigw.Integration(
            type=apigw.IntegrationType.AWS_PROXY,
            integration_http_method="POST",
            uri=streaming_integration_uri(stack, target.function_arn),
            options=apigw.IntegrationOptions(
                response_transfer_mode=apigw.ResponseTransferMode.STREAM,
                timeout=Duration.seconds(config.integration_timeout_s),
            ),
        )
        proxy = self.api.root.add_resource("{proxy+}")
        for resource in (self.api.root, proxy):
            for method in METHODS:
                resource.add_method(method, integration, api_key_required=True)
        self.permission = lambda_.CfnPermission(
            self,
            "InvokePermission",
            action="lambda:InvokeFunction",
            function_name=target.function_arn,
            principal="apigateway.amazonaws.com",
            source_arn=self.api.arn_for_execute_api(method="*", path="/*", stage=config.stage_name),
        )
        self.api.deployment_stage.node.add_dependency(self.permission)

        self.usage_plan = self.api.add_usage_plan(
            "UsagePlan",
            description="bedrock-stream API keys: throttle and quota per key",
            throttle=apigw.ThrottleSettings(
                rate_limit=config.throttle_rate_limit, burst_limit=config.throttle_burst_limit
            ),
            quota=(
                apigw.QuotaSettings(limit=config.quota_limit, period=apigw.Period[config.quota_period])
                if config.quota_limit is not None
                else None
            ),
            api_stages=[apigw.UsagePlanPerApiStage(api=self.api, stage=self.api.deployment_stage)],
        )
        self.api_keys = [
            self.api.add_api_key(f"Key{index}", description=f"bedrock-stream API key {name!r}")
            for index, name in enumerate(config.api_keys)
        ]
        for key in self.api_keys:
            self.usage_plan.add_api_key(key)

        if config.web_acl_arn is not None:
            wafv2.CfnWebACLAssociation(
                self, "WebAcl", resource_arn=self.api.deployment_stage.stage_arn, web_acl_arn=config.web_acl_arn
            )
        self.domain: apigw.DomainName | None = None
        self._domain_name = config.domain_name
        if config.domain_name is not None and config.certificate_arn is not None:
            self.domain = apigw.DomainName(
                self,
                "Domain",
                domain_name=config.domain_name,
                certificate=acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn),
                endpoint_type=apigw.EndpointType.REGIONAL,
                security_policy=apigw.SecurityPolicy.TLS_1_2,
            )
            self.domain.add_base_path_mapping(self.api, stage=self.api.deployment_stage)
        self._outputs(stack)

    @property
    def url(self) -> str:
        """The base URL clients call: the custom domain's, else the stage's execute-api URL."""
        if self.domain is not None:
            return f"https://{self._domain_name}/"
        return self.api.url

    def _outputs(self, stack: Stack) -> None:
        """``ApiUrl`` (what ``bedrock-stream --stack NAME --api-gateway`` reads) and the key ids (never the values:
        ``aws apigateway get-api-key --api-key ID --include-value`` shows one)."""
        outputs = {
            OUTPUT_API_URL: (self.url, "API Gateway URL (send x-api-key)"),
            OUTPUT_API_KEY_IDS: (",".join(k.key_id for k in self.api_keys), "API key ids of the usage plan"),
        }
        for key, (value, description) in outputs.items():
            CfnOutput(stack, key, value=value, description=description)
