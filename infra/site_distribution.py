"""``webHosting`` with ``browserAuth``: a CloudFront distribution that serves only the chat page (S3 through origin
access control), while the page signs its own requests (SigV4, Cognito credentials) straight to the Function URL.

The API cannot sit behind this distribution: CloudFront's Lambda origin access control overwrites the browser's
``Authorization`` header. So the page and the API have two origins, and the Function URL's CORS must let the page's
origin in: :func:`allow_page_origin` adds ``https://<distribution domain>`` (known at deploy time) to the URL's
``AllowOrigins``, and gives the URL the default SigV4 CORS when ``cors`` was not configured.

Sources: CloudFront OAC for S3 origins
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html),
Function URL CORS (https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html: at most 100 origins), the Lambda OAC
signing behaviour (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html);
AWS CDK ``S3BucketOrigin.withOriginAccessControl`` and ``CfnUrl.CorsProperty`` (aws-cdk-lib 2.275).
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, Aws, CfnOutput, Validations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.browser_auth import BrowserAuth
from infra.cloudfront_front import OUTPUT_DISTRIBUTION_DOMAIN, OUTPUT_DISTRIBUTION_URL
from infra.config import CorsConfig

__all__ = ["SiteDistribution", "allow_page_origin", "cognito_page_config"]

_DEFAULT_CORS: Final = CorsConfig(allow_origins=())


class SiteDistribution(Construct):
    """The page's distribution: the private site bucket as its only origin, nothing else behind it."""

    def __init__(self, scope: Construct, construct_id: str, *, site_bucket: s3.IBucket, log_bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="bedrock-stream chat page (the page signs its API requests to the Function URL)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(site_bucket),
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            ),
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix="cloudfront/",
        )
        for ack in (
            Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="a static page for signed-in users; geo restriction is a per-deployment choice",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR2",
                reason="static files only; the API is the IAM-authenticated Function URL, not behind this distribution",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR4",
                reason="no custom domain: the default *.cloudfront.net certificate cannot pin a minimum TLS version",
            ),
        ):
            Validations.of(self.distribution).acknowledge(ack)

    @property
    def origin(self) -> str:
        """``https://<distribution domain>``: the page's origin (a deploy-time value)."""
        return f"https://{self.distribution.distribution_domain_name}"

    def add_outputs(self, scope: Construct) -> None:
        """The page's URL and the distribution's domain name."""
        CfnOutput(scope, OUTPUT_DISTRIBUTION_URL, value=f"{self.origin}/", description="The chat page (CloudFront)")
        CfnOutput(
            scope,
            OUTPUT_DISTRIBUTION_DOMAIN,
            value=self.distribution.distribution_domain_name,
            description="CloudFront domain name of the chat page",
        )


def allow_page_origin(url: lambda_.FunctionUrl, origin: str, cors: CorsConfig | None) -> None:
    """Let ``origin`` call the Function URL from a browser: appended to the configured ``AllowOrigins`` (unless they
    already allow ``*``), or, without ``cors``, the URL gets the default CORS (SigV4 headers) for that origin only."""
    cfn_url = url.node.default_child
    assert isinstance(cfn_url, lambda_.CfnUrl)
    if cors is not None:
        if "*" not in cors.allow_origins:
            cfn_url.add_property_override("Cors.AllowOrigins", [*cors.allow_origins, origin])
        return
    cfn_url.cors = lambda_.CfnUrl.CorsProperty(
        allow_origins=[origin],
        allow_methods=list(_DEFAULT_CORS.allow_methods),
        allow_headers=list(_DEFAULT_CORS.allow_headers),
        expose_headers=list(_DEFAULT_CORS.expose_headers),
        max_age=_DEFAULT_CORS.max_age,
        allow_credentials=_DEFAULT_CORS.allow_credentials,
    )


def cognito_page_config(auth: BrowserAuth, url: lambda_.IFunctionUrl) -> dict[str, str]:
    """The page's ``config.json`` for the ``cognito`` mode (web/src/config.js): the Function URL it signs to, the
    Region, and the pool ids it signs in with (deploy-time values)."""
    page = {
        "endpoint": url.url,
        "auth": "cognito",
        "region": Aws.REGION,
        "userPoolId": auth.user_pool.user_pool_id,
        "userPoolClientId": auth.client.user_pool_client_id,
        "identityPoolId": auth.identity_pool.ref,
    }
    if auth.domain is not None:
        page["hostedUiDomain"] = f"https://{auth.domain.domain_name}.auth.{Aws.REGION}.amazoncognito.com"
    return page
