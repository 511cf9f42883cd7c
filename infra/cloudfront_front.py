"""``cloudFront``: a CloudFront distribution in front of the Function URL, which only CloudFront may call.

CloudFront signs each origin request with origin access control (OAC, type ``lambda``, SigV4 always), and the
function's resource policy lets the CloudFront service principal invoke it only on behalf of this distribution
(``SourceArn``). Nothing is cached; every method goes through; the body streams through as the function writes it.

Sources:
- CloudFront, restrict access to a Lambda function URL origin
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html):
  the URL must be AWS_IAM; the ``lambda:InvokeFunctionUrl`` and ``lambda:InvokeFunction`` permissions for
  ``cloudfront.amazonaws.com`` with the distribution's ARN as source; clients must send ``x-amz-content-sha256`` with
  PUT/POST bodies (Lambda accepts no unsigned payload). AWS CDK ``FunctionUrlOrigin.withOriginAccessControl``
  (aws-cdk-lib 2.275, aws-cloudfront-origins/lib/function-url-origin) creates the OAC and both permissions.
- OAC signing behaviours (``always`` overwrites a viewer's ``Authorization`` header):
  https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html
- Origin settings, response (read) timeout and keep-alive timeout:
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html
- Managed cache policy CachingDisabled and origin request policies (the Host header must not reach a Lambda URL):
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html,
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
- Function URLs stream progressively through a CloudFront origin:
  https://aws.amazon.com/blogs/compute/introducing-aws-lambda-response-streaming/
- Standard (legacy) access logs need a bucket with ACLs enabled:
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, CfnOutput, Duration, RemovalPolicy, Validations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.browser_config import CloudFrontConfig

__all__ = [
    "API_PATH_PATTERNS",
    "FORWARDED_HEADERS",
    "OUTPUT_DISTRIBUTION_DOMAIN",
    "OUTPUT_DISTRIBUTION_URL",
    "CloudFrontFront",
    "access_log_bucket",
]

OUTPUT_DISTRIBUTION_URL: Final = "DistributionUrl"
OUTPUT_DISTRIBUTION_DOMAIN: Final = "DistributionDomainName"

# What the function reads from a request (format negotiation, bodies, the SDK headers it accepts, API keys), the body
# hash CloudFront signs with, and what the URL's own CORS answers from. Never Host: the Function URL routes by it.
FORWARDED_HEADERS: Final = (
    "accept",
    "content-type",
    "x-amz-content-sha256",
    "x-api-key",
    "anthropic-version",
    "anthropic-beta",
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
)
# With webHosting the page owns the default behaviour; the function keeps these routes (functions/bedrock_stream
# surfaces.py). The native ``POST /`` is then served by the Function URL only.
API_PATH_PATTERNS: Final = ("/v1/*", "/model/*", "/models")
_PRICE_CLASSES: Final = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}


def access_log_bucket(scope: Construct) -> s3.Bucket:
    """Private, TLS-only bucket for CloudFront's standard logs and the site bucket's server access logs."""
    bucket = s3.Bucket(
        scope,
        "AccessLogs",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.OBJECT_WRITER,  # CloudFront writes its logs with an ACL
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        removal_policy=RemovalPolicy.RETAIN,
    )
    Validations.of(bucket).acknowledge(
        Acknowledgment(id="AwsSolutions-S1", reason="this is the access-log bucket; logging it into itself would loop")
    )
    return bucket


class CloudFrontFront(Construct):
    """The distribution: the Function URL behind OAC, plus the static site as default behaviour when given."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: CloudFrontConfig,
        url: lambda_.IFunctionUrl,
        log_bucket: s3.IBucket,
        site_bucket: s3.IBucket | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.origin_access_control = cloudfront.FunctionUrlOriginAccessControl(
            self,
            "FunctionUrlOac",
            description="bedrock-stream: CloudFront signs every request to the Function URL",
            signing=cloudfront.Signing.SIGV4_ALWAYS,
        )
        function_origin = origins.FunctionUrlOrigin.with_origin_access_control(
            url,
            origin_access_control=self.origin_access_control,
            read_timeout=Duration.seconds(config.read_timeout_s),
            keepalive_timeout=Duration.seconds(config.keepalive_s),
        )
        self.origin_request_policy = cloudfront.OriginRequestPolicy(
            self,
            "FunctionRequests",
            comment="bedrock-stream: the headers the function reads, never Host",
            header_behavior=cloudfront.OriginRequestHeaderBehavior.allow_list(*FORWARDED_HEADERS),
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.all(),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.none(),
        )
        api = cloudfront.BehaviorOptions(
            origin=function_origin,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=self.origin_request_policy,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,  # a redirected POST loses its body
            compress=False,  # pass the stream through as it is written
        )
        default, additional = api, {}
        if site_bucket is not None:
            default = cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(site_bucket),
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            )
            additional = dict.fromkeys(API_PATH_PATTERNS, api)
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn)
            if config.certificate_arn is not None
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="bedrock-stream",
            default_behavior=default,
            additional_behaviors=additional,
            default_root_object="index.html" if site_bucket is not None else None,
            domain_names=[config.domain_name] if config.domain_name is not None else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
            if certificate is not None
            else None,
            price_class=_PRICE_CLASSES[config.price_class],
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix="cloudfront/",
            web_acl_id=config.web_acl_arn,
        )
        self._acknowledge(config)

    def add_outputs(self, scope: Construct, config: CloudFrontConfig) -> None:
        """The distribution's public URL (the custom domain when configured) and its CloudFront domain name."""
        domain = config.domain_name or self.distribution.distribution_domain_name
        CfnOutput(scope, OUTPUT_DISTRIBUTION_URL, value=f"https://{domain}/", description="CloudFront URL")
        CfnOutput(
            scope,
            OUTPUT_DISTRIBUTION_DOMAIN,
            value=self.distribution.distribution_domain_name,
            description="CloudFront domain name (the DNS target of the custom domain)",
        )

    def _acknowledge(self, config: CloudFrontConfig) -> None:
        acks = [
            Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="an API for signed-in or API-key callers; geo restriction is a per-deployment choice",
            )
        ]
        if config.web_acl_arn is None:
            acks.append(
                Acknowledgment(
                    id="AwsSolutions-CFR2",
                    reason="no cloudFront.webAclArn configured; reserved concurrency caps the spend instead",
                )
            )
        if config.certificate_arn is None:
            acks.append(
                Acknowledgment(
                    id="AwsSolutions-CFR4",
                    reason=(
                        "no custom domain: the default *.cloudfront.net certificate cannot pin a minimum TLS version; "
                        "set cloudFront.domainName and certificateArn for TLSv1.2_2021"
                    ),
                )
            )
        for ack in acks:
            Validations.of(self.distribution).acknowledge(ack)
