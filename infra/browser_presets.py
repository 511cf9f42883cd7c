"""Adds the optional browser presets (``browserAuth``, ``cloudFront``, ``webHosting``) to the stack, with their
outputs. One call from :class:`infra.stack.BedrockStreamStack`; docs/browsers.md describes the presets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, Aws
from constructs import Construct

from infra.browser_auth import BrowserAuth
from infra.cloudfront_front import CloudFrontFront, access_log_bucket
from infra.config import StackConfig
from infra.site_distribution import SiteDistribution, allow_page_origin, cognito_page_config
from infra.streaming_function import StreamingFunction
from infra.web_hosting import WebSite

__all__ = ["BrowserPresetConstructs", "add_browser_presets"]


@dataclass(frozen=True, slots=True)
class BrowserPresetConstructs:
    """What was added (``None`` for a preset that is off)."""

    auth: BrowserAuth | None = None
    front: CloudFrontFront | None = None
    site: WebSite | None = None


def add_browser_presets(
    scope: Construct, config: StackConfig, streaming: StreamingFunction, *, web_dist_dir: Path
) -> BrowserPresetConstructs:
    """Build the presets the config turns on; raises ``ConfigError`` when webHosting finds no built page."""
    presets = config.browser
    auth: BrowserAuth | None = None
    if presets.browser_auth is not None:
        auth = BrowserAuth(
            scope, "BrowserAuth", config=presets.browser_auth, function=streaming.function, alias=streaming.alias
        )
        auth.add_outputs(scope)
    if presets.cloud_front is None and auth is not None and presets.web_hosting:
        return _site_for_signed_in_users(scope, config, streaming, auth, web_dist_dir)
    if presets.cloud_front is None:
        return BrowserPresetConstructs(auth=auth)
    if config.auth_type == "AWS_IAM":
        Annotations.of(scope).add_warning_v2(
            "bedrock-stream:public-distribution",
            "cloudFront with authType AWS_IAM: the distribution is public; anyone who finds it can call Bedrock at "
            "your expense (reservedConcurrency caps parallel streams)",
        )
    log_bucket = access_log_bucket(scope)
    site = WebSite(scope, "Web", dist_dir=web_dist_dir, log_bucket=log_bucket) if presets.web_hosting else None
    front = CloudFrontFront(
        scope,
        "CloudFront",
        config=presets.cloud_front,
        url=streaming.url,
        log_bucket=log_bucket,
        site_bucket=site.bucket if site is not None else None,
    )
    front.add_outputs(scope, presets.cloud_front)
    if site is not None:
        domain = presets.cloud_front.domain_name or front.distribution.distribution_domain_name
        # Same origin as the API; behind CloudFront the page sends no SigV4 (OAC signs), an API key at most.
        page = {"endpoint": f"https://{domain}", "auth": "apikey" if config.auth_type == "API_KEY" else "none"}
        site.deploy(front.distribution, {**page, "region": Aws.REGION})
    return BrowserPresetConstructs(auth=auth, front=front, site=site)


def _site_for_signed_in_users(
    scope: Construct, config: StackConfig, streaming: StreamingFunction, auth: BrowserAuth, web_dist_dir: Path
) -> BrowserPresetConstructs:
    """webHosting with browserAuth: a site-only distribution; the page signs to the Function URL, whose CORS gets
    the distribution's origin (infra/site_distribution.py)."""
    log_bucket = access_log_bucket(scope)
    site = WebSite(scope, "Web", dist_dir=web_dist_dir, log_bucket=log_bucket)
    pages = SiteDistribution(scope, "SiteDistribution", site_bucket=site.bucket, log_bucket=log_bucket)
    pages.add_outputs(scope)
    allow_page_origin(streaming.url, pages.origin, config.cors)
    site.deploy(pages.distribution, cognito_page_config(auth, streaming.url))
    return BrowserPresetConstructs(auth=auth, site=site)
