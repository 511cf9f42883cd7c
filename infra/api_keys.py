"""API-key mode (``authType: "API_KEY"``): the key table, the function's read-only access to it, the public URL.

In this mode the Function URL's own auth is ``NONE`` (tools that speak the OpenAI/Anthropic APIs send ``Authorization:
Bearer <key>`` or ``x-api-key`` and cannot sign SigV4; behind ``cloudFront`` it is ``AWS_IAM``, which origin access
control needs: CloudFront developer guide private-content-restricting-access-to-lambda.html) and the function checks
every request's key before anything else (functions/bedrock_stream/api_keys). Keys live in a DynamoDB table
(docs/api-keys.md says why: cost, latency, cold start): on-demand billing, point-in-time recovery, encrypted at rest
with the AWS managed key, kept when the stack is deleted (it holds your keys). The function may call exactly
``dynamodb:GetItem`` on exactly this table's ARN: no index wildcard, no Scan/Query, no writes (``bedrock-stream keys``
writes with your own credentials).

Sources: AWS Lambda developer guide urls-auth.html (AuthType NONE) and urls-configuration.html#urls-cors (CORS
headers); DynamoDB developer guide PointInTimeRecovery.html, EncryptionAtRest.html; IAM actions for DynamoDB
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html: GetItem on the
``table`` resource type).
"""

from __future__ import annotations

from typing import Final

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import StackConfig

__all__ = [
    "API_KEY_HEADERS",
    "ENV_API_KEY_CACHE_SECONDS",
    "ENV_API_KEY_TABLE",
    "KEY_ATTRIBUTE",
    "ApiKeyTable",
    "attach_api_keys",
    "cors_allow_headers",
    "url_auth_type",
]

# The function's settings (functions/bedrock_stream/settings.py), repeated: infra never imports function code.
ENV_API_KEY_TABLE: Final = "BEDROCK_STREAM_API_KEY_TABLE"
ENV_API_KEY_CACHE_SECONDS: Final = "BEDROCK_STREAM_API_KEY_CACHE_SECONDS"
KEY_ATTRIBUTE: Final = "keyId"
API_KEY_HEADERS: Final = ("authorization", "x-api-key")
"""Request headers a browser must be allowed to send (CORS) for a key to reach the function."""


class ApiKeyTable(Construct):
    """The key records (partition key ``keyId``), read by the function one ``GetItem`` at a time."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=KEY_ATTRIBUTE, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def grant_lookup(self, role: iam.IRole) -> None:
        """Let ``role`` read one record by key: ``dynamodb:GetItem`` on this table's ARN, nothing else."""
        role.add_to_principal_policy(
            iam.PolicyStatement(sid="ReadApiKeyRecords", actions=["dynamodb:GetItem"], resources=[self.table.table_arn])
        )


def attach_api_keys(
    scope: Construct, config: StackConfig, function: lambda_.Function, role: iam.IRole
) -> ApiKeyTable | None:
    """In API_KEY mode: the key table, the function's lookup permission and its settings; else None."""
    if config.auth_type != "API_KEY":
        return None
    keys = ApiKeyTable(scope, "ApiKeys")
    keys.grant_lookup(role)
    function.add_environment(ENV_API_KEY_TABLE, keys.table.table_name)
    function.add_environment(ENV_API_KEY_CACHE_SECONDS, str(config.api_key_cache_s))
    return keys


def url_auth_type(config: StackConfig) -> lambda_.FunctionUrlAuthType:
    """The Function URL's own auth: NONE in API_KEY mode (the function checks keys), else as configured.

    API_KEY behind ``cloudFront`` is the exception: origin access control signs every origin request and only
    works with an AWS_IAM URL, so the URL is AWS_IAM (only the distribution may call it, infra/cloudfront_front.py)
    and the function still checks the ``x-api-key`` CloudFront forwards.
    """
    if config.auth_type == "API_KEY":
        if config.browser.cloud_front is not None:
            return lambda_.FunctionUrlAuthType.AWS_IAM
        return lambda_.FunctionUrlAuthType.NONE
    return lambda_.FunctionUrlAuthType[config.auth_type]


def cors_allow_headers(config: StackConfig) -> tuple[str, ...]:
    """The CORS allow-list's headers; in API_KEY mode always with ``authorization`` and ``x-api-key``."""
    headers = () if config.cors is None else config.cors.allow_headers
    if config.auth_type != "API_KEY":
        return headers
    present = {header.lower() for header in headers}
    return (*headers, *(header for header in API_KEY_HEADERS if header not in present))
