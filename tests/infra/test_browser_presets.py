"""The browser presets in the synthesized template, each synthesized once with cdk-nag applied as app.py does.

Sources: Lambda urls-auth.html (callers of an AWS_IAM URL need lambda:InvokeFunctionUrl and lambda:InvokeFunction);
Cognito role-trust-and-permissions.html (authenticated-role trust conditions); CloudFront
private-content-restricting-access-to-lambda.html (OAC for Function URLs, permissions scoped to the distribution)
and private-content-restricting-access-to-s3.html (OAC for the site bucket).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Validations
from aws_cdk.assertions import Annotations, Match, Template

from infra import browser_auth, cloudfront_front, web_hosting
from infra.browser_config import SIGV4_CORS_HEADERS
from infra.checks import apply_checks
from infra.config import ConfigError, StackConfig
from infra.stack import BedrockStreamStack
from infra.web_hosting import wildcard_findings

ROOT = Path(__file__).resolve().parents[2]
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
ENV = Environment(account="111122223333", region="us-east-1")
ORIGIN = "https://chat.example.com"
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"
PUBLIC = {"allowPublicUrl": True, "reservedConcurrency": 5}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # the managed cache policy's documented id
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]


class Synth:
    def __init__(self, context: dict[str, Any], outdir: Path, *, web_dist_dir: Path | None = None) -> None:
        self.app = App(context={**CDK_CONTEXT, **context, "aws:cdk:bundling-stacks": []}, outdir=str(outdir))
        self.config = StackConfig.from_context(self.app.node.try_get_context)
        self.stack = BedrockStreamStack(
            self.app,
            self.config.stack_name,
            config=self.config,
            env=ENV,
            web_dist_dir=web_dist_dir or ROOT / "web" / "dist",
        )
        apply_checks(self.app, self.stack, self.config)
        assembly = self.app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag error
        self.outdir = outdir
        self.report = json.loads((outdir / "validation-report.json").read_text(encoding="utf-8"))
        self.template = Template.from_json(assembly.get_stack_by_name(self.stack.stack_name).template)
        self.json = self.template.to_json()

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.template.find_resources(resource_type).items()}

    def only(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(resource_type)
        assert len(found) == 1, sorted(found)
        ((logical_id, resource),) = found.items()
        return logical_id, resource["Properties"]

    def logical_id(self, resource_type: str, prefix: str) -> str:
        (logical_id,) = [k for k in self.resources(resource_type) if k.startswith(prefix)]
        return logical_id

    def nag_findings(self) -> list[str]:
        return [
            violation["ruleName"]
            for plugin in self.report["pluginReports"]
            if plugin["pluginName"].startswith("AwsSolutions")
            for violation in plugin["violations"]
        ]


@pytest.fixture(scope="module")
def cognito(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    context = {"browserAuth": "cognito", "cors": {"allowOrigins": [ORIGIN]}}
    return Synth(context, tmp_path_factory.mktemp("cdkout-cognito"))


@pytest.fixture(scope="module")
def cognito_hosted_ui(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    context = {
        "browserAuth": {
            "mfa": "required",
            "featurePlan": "ESSENTIALS",
            "callbackUrls": [f"{ORIGIN}/callback", "http://localhost:5173/"],
            "logoutUrls": [f"{ORIGIN}/"],
            "domainPrefix": "bedrock-chat-test",
        },
        "cors": {"allowOrigins": [ORIGIN, "http://localhost:5173"]},
        "snapStart": True,
    }
    return Synth(context, tmp_path_factory.mktemp("cdkout-cognito-hosted"))


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth({"cloudFront": True, **PUBLIC}, tmp_path_factory.mktemp("cdkout-front"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    dist = tmp_path_factory.mktemp("web-dist")
    (dist / "index.html").write_text("<!doctype html><title>chat</title>\n", encoding="utf-8")
    context = {
        "cloudFront": {"domainName": "chat.example.com", "certificateArn": CERTIFICATE, "readTimeoutSeconds": 45},
        "webHosting": True,
        **PUBLIC,
    }
    return Synth(context, tmp_path_factory.mktemp("cdkout-site"), web_dist_dir=dist)


@pytest.fixture(scope="module")
def keyed_site(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """API-key auth behind CloudFront, with the page on the distribution."""
    dist = tmp_path_factory.mktemp("web-dist-keyed")
    (dist / "index.html").write_text("<!doctype html><title>chat</title>\n", encoding="utf-8")
    context = {"authType": "API_KEY", "reservedConcurrency": 5, "cloudFront": True, "webHosting": True}
    return Synth(context, tmp_path_factory.mktemp("cdkout-keyed-site"), web_dist_dir=dist)


@pytest.fixture(scope="module")
def cognito_site(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """browserAuth + webHosting, no cors: the stack hosts the page and allows its origin itself."""
    dist = tmp_path_factory.mktemp("web-dist-cognito")
    (dist / "index.html").write_text("<!doctype html><title>chat</title>\n", encoding="utf-8")
    context = {"browserAuth": "cognito", "webHosting": True}
    return Synth(context, tmp_path_factory.mktemp("cdkout-cognito-site"), web_dist_dir=dist)


@pytest.fixture(scope="module")
def cognito_site_hosted_ui(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """browserAuth with the hosted UI's domain + webHosting + a configured cors (another origin of the page)."""
    dist = tmp_path_factory.mktemp("web-dist-cognito-hosted")
    (dist / "index.html").write_text("<!doctype html><title>chat</title>\n", encoding="utf-8")
    context = {
        "browserAuth": {"callbackUrls": [f"{ORIGIN}/"], "domainPrefix": "bedrock-chat-site"},
        "cors": {"allowOrigins": [ORIGIN]},
        "webHosting": True,
    }
    return Synth(context, tmp_path_factory.mktemp("cdkout-cognito-site-hosted"), web_dist_dir=dist)


# -- browserAuth: Cognito ----------------------------------------------------------------------------------------


def _role_policy(synth: Synth) -> list[dict[str, Any]]:
    role_id = synth.logical_id("AWS::IAM::Role", "BrowserAuthAuthenticatedRole")
    (policy,) = [
        p["Properties"]
        for p in synth.resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    return policy["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def test_signed_in_users_may_only_invoke_this_function_through_its_iam_url(cognito: Synth) -> None:
    function_id = cognito.logical_id("AWS::Lambda::Function", "StreamingFunction")
    arn = {"Fn::GetAtt": [function_id, "Arn"]}
    assert _role_policy(cognito) == [
        {
            "Sid": "InvokeFunctionUrl",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunctionUrl",
            "Resource": arn,
            "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}},
        },
        {
            "Sid": "InvokeFunctionViaUrl",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": arn,
            "Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
        },
    ]
    assert cognito.only("AWS::Lambda::Url")[1]["AuthType"] == "AWS_IAM"


def test_with_snap_start_the_role_also_names_the_alias_the_url_serves(cognito_hosted_ui: Synth) -> None:
    function_id = cognito_hosted_ui.logical_id("AWS::Lambda::Function", "StreamingFunction")
    alias_id, _ = cognito_hosted_ui.only("AWS::Lambda::Alias")
    for statement in _role_policy(cognito_hosted_ui):
        assert statement["Resource"] == [{"Fn::GetAtt": [function_id, "Arn"]}, {"Ref": alias_id}]
    assert cognito_hosted_ui.only("AWS::Lambda::Url")[1]["Qualifier"] == "live"


def test_only_authenticated_identities_of_this_pool_assume_the_role_and_there_is_no_guest_role(cognito: Synth) -> None:
    pool_id, pool = cognito.only("AWS::Cognito::IdentityPool")
    assert (pool["AllowUnauthenticatedIdentities"], pool["AllowClassicFlow"]) == (False, False)
    (provider,) = pool["CognitoIdentityProviders"]
    assert provider["ServerSideTokenCheck"] is True
    _, attachment = cognito.only("AWS::Cognito::IdentityPoolRoleAttachment")
    role_id = cognito.logical_id("AWS::IAM::Role", "BrowserAuthAuthenticatedRole")
    assert attachment["Roles"] == {"authenticated": {"Fn::GetAtt": [role_id, "Arn"]}}
    assert "RoleMappings" not in attachment
    trusting = [
        r for r in cognito.resources("AWS::IAM::Role").values() if "cognito-identity" in json.dumps(r["Properties"])
    ]
    assert len(trusting) == 1  # no unauthenticated role at all
    (trust,) = trusting[0]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == {
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": pool_id}},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
        },
    }


def test_the_urls_cors_allows_the_sigv4_headers_from_the_pages_origin(cognito: Synth) -> None:
    cors = cognito.only("AWS::Lambda::Url")[1]["Cors"]
    assert cors["AllowOrigins"] == [ORIGIN]
    assert set(SIGV4_CORS_HEADERS) <= set(cors["AllowHeaders"])
    assert {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"} <= set(SIGV4_CORS_HEADERS)


def test_user_pool_is_admin_only_with_a_strong_password_policy_mfa_and_threat_protection(cognito: Synth) -> None:
    _, pool = cognito.only("AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 3,
    }
    assert (pool["MfaConfiguration"], pool["EnabledMfas"]) == ("OPTIONAL", ["SOFTWARE_TOKEN_MFA"])
    assert (pool["UserPoolTier"], pool["UserPoolAddOns"]) == ("PLUS", {"AdvancedSecurityMode": "ENFORCED"})


def test_app_client_is_public_with_srp_and_no_hosted_ui_unless_configured(cognito: Synth) -> None:
    _, client = cognito.only("AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "CallbackURLs" not in client
    cognito.template.resource_count_is("AWS::Cognito::UserPoolDomain", 0)


def test_hosted_ui_uses_the_code_grant_with_the_configured_urls(cognito_hosted_ui: Synth) -> None:
    _, client = cognito_hosted_ui.only("AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False
    assert (client["AllowedOAuthFlows"], client["AllowedOAuthScopes"]) == (["code"], ["openid", "email"])
    assert client["CallbackURLs"] == [f"{ORIGIN}/callback", "http://localhost:5173/"]
    assert client["LogoutURLs"] == [f"{ORIGIN}/"]
    assert cognito_hosted_ui.only("AWS::Cognito::UserPoolDomain")[1]["Domain"] == "bedrock-chat-test"
    _, pool = cognito_hosted_ui.only("AWS::Cognito::UserPool")
    assert (pool["MfaConfiguration"], pool["UserPoolTier"]) == ("ON", "ESSENTIALS")


def test_outputs_give_the_page_what_it_signs_in_and_signs_with(cognito: Synth, cognito_hosted_ui: Synth) -> None:
    outputs = cognito.json["Outputs"]
    pool_id, _ = cognito.only("AWS::Cognito::UserPool")
    client_id, _ = cognito.only("AWS::Cognito::UserPoolClient")
    identity_id, _ = cognito.only("AWS::Cognito::IdentityPool")
    assert outputs[browser_auth.OUTPUT_USER_POOL_ID]["Value"] == {"Ref": pool_id}
    assert outputs[browser_auth.OUTPUT_USER_POOL_CLIENT_ID]["Value"] == {"Ref": client_id}
    assert outputs[browser_auth.OUTPUT_IDENTITY_POOL_ID]["Value"] == {"Ref": identity_id}
    assert {"FunctionUrl", "Region"} <= set(outputs)
    assert browser_auth.OUTPUT_HOSTED_UI_DOMAIN not in outputs
    assert browser_auth.OUTPUT_HOSTED_UI_DOMAIN in cognito_hosted_ui.json["Outputs"]


def test_cognito_presets_pass_cdk_nag(cognito: Synth, cognito_hosted_ui: Synth) -> None:
    assert cognito.report["pluginReports"] == []
    assert cognito_hosted_ui.nag_findings() == []  # ESSENTIALS (COG8) acknowledged with its reason


# -- cloudFront ---------------------------------------------------------------------------------------------------


def test_cloudfront_signs_to_the_function_url_with_lambda_oac(front: Synth) -> None:
    oac_id, oac = front.only("AWS::CloudFront::OriginAccessControl")
    signing = {k: v for k, v in oac["OriginAccessControlConfig"].items() if k not in ("Name", "Description")}
    assert signing == {
        "OriginAccessControlOriginType": "lambda",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    _, distribution = front.only("AWS::CloudFront::Distribution")
    (origin,) = distribution["DistributionConfig"]["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    url_id, url = front.only("AWS::Lambda::Url")
    assert url["AuthType"] == "AWS_IAM"
    assert origin["DomainName"] == {"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": [url_id, "FunctionUrl"]}]}]}
    assert origin["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
        "OriginReadTimeout": 60,
        "OriginKeepaliveTimeout": 5,
    }


def test_only_this_distribution_may_invoke_the_function(front: Synth) -> None:
    distribution_id, _ = front.only("AWS::CloudFront::Distribution")
    url_id, _ = front.only("AWS::Lambda::Url")
    source_arn = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":cloudfront::",
                {"Ref": "AWS::AccountId"},
                ":distribution/",
                {"Ref": distribution_id},
            ],
        ]
    }
    permissions = sorted(
        (p["Properties"] for p in front.resources("AWS::Lambda::Permission").values()), key=lambda p: p["Action"]
    )
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [url_id, "FunctionArn"]},
            "InvokedViaFunctionUrl": True,
            "Principal": "cloudfront.amazonaws.com",
            "SourceArn": source_arn,
        },
        {
            "Action": "lambda:InvokeFunctionUrl",
            "FunctionName": {"Fn::GetAtt": [url_id, "FunctionArn"]},
            "Principal": "cloudfront.amazonaws.com",
            "SourceArn": source_arn,
        },
    ]


def test_api_behaviour_caches_nothing_allows_every_method_and_forwards_no_host(front: Synth) -> None:
    _, distribution = front.only("AWS::CloudFront::Distribution")
    behaviour = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["AllowedMethods"] == ALL_METHODS
    assert (behaviour["ViewerProtocolPolicy"], behaviour["Compress"]) == ("https-only", False)
    policy_id, policy = front.only("AWS::CloudFront::OriginRequestPolicy")
    assert behaviour["OriginRequestPolicyId"] == {"Ref": policy_id}
    config = policy["OriginRequestPolicyConfig"]
    headers = config["HeadersConfig"]
    assert headers["HeaderBehavior"] == "whitelist"
    assert headers["Headers"] == list(cloudfront_front.FORWARDED_HEADERS)
    assert {"accept", "content-type", "x-api-key", "x-amz-content-sha256"} <= set(headers["Headers"])
    assert "host" not in headers["Headers"]
    assert (config["QueryStringsConfig"], config["CookiesConfig"]) == (
        {"QueryStringBehavior": "all"},
        {"CookieBehavior": "none"},
    )


def test_distribution_logs_to_a_private_tls_only_bucket(front: Synth) -> None:
    _, distribution = front.only("AWS::CloudFront::Distribution")
    bucket_id, bucket = front.only("AWS::S3::Bucket")
    assert distribution["DistributionConfig"]["Logging"]["Bucket"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    _, policy = front.only("AWS::S3::BucketPolicy")
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


def test_public_distribution_warns_and_outputs_its_url(front: Synth) -> None:
    Annotations.from_stack(front.stack).has_warning("*", Match.string_like_regexp("the distribution is public"))
    distribution_id, _ = front.only("AWS::CloudFront::Distribution")
    outputs = front.json["Outputs"]
    assert outputs[cloudfront_front.OUTPUT_DISTRIBUTION_URL]["Value"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/"]]
    }


def test_cloudfront_preset_passes_cdk_nag(front: Synth) -> None:
    assert front.nag_findings() == []  # CFR1, CFR2, CFR4 (default certificate) acknowledged with reasons


def _acknowledged(synth: Synth, *path: str) -> set[str]:
    node = synth.stack.node
    for part in path:
        node = node.find_child(part).node
    return {  # recorded with the namespace the id was given in ("Annotation::" for an unqualified one)
        rule.split("::", 1)[-1]
        for entry in node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule in entry.data
    }


def test_acknowledgements_follow_the_options_and_stay_on_their_construct(
    front: Synth, site: Synth, cognito: Synth, cognito_hosted_ui: Synth
) -> None:
    assert _acknowledged(front, "CloudFront", "Distribution") == {
        "AwsSolutions-CFR1",
        "AwsSolutions-CFR2",
        "AwsSolutions-CFR4",
    }
    assert _acknowledged(site, "CloudFront", "Distribution") == {"AwsSolutions-CFR1", "AwsSolutions-CFR2"}
    assert _acknowledged(cognito, "BrowserAuth", "UserPool") == {"AwsSolutions-COG2"}  # mfa optional
    assert _acknowledged(cognito_hosted_ui, "BrowserAuth", "UserPool") == {"AwsSolutions-COG8"}  # mfa required
    for synth in (front, site, cognito, cognito_hosted_ui):
        assert not _acknowledged(synth)  # nothing at stack level: checks.py's defaults only


# -- webHosting ---------------------------------------------------------------------------------------------------


def test_site_is_the_default_behaviour_and_the_api_keeps_its_routes(site: Synth) -> None:
    _, distribution = site.only("AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    assert "S3OriginConfig" in origins[default["TargetOriginId"]]
    assert (default["AllowedMethods"], config["DefaultRootObject"]) == (["GET", "HEAD"], "index.html")
    api = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert list(api) == list(cloudfront_front.API_PATH_PATTERNS)
    for behaviour in api.values():
        assert "CustomOriginConfig" in origins[behaviour["TargetOriginId"]]
        assert (behaviour["CachePolicyId"], behaviour["AllowedMethods"]) == (CACHING_DISABLED, ALL_METHODS)
    function_origin = origins[api["/v1/*"]["TargetOriginId"]]
    assert function_origin["CustomOriginConfig"]["OriginReadTimeout"] == 45


def test_custom_domain_uses_the_us_east_1_certificate_and_tls_1_2(site: Synth) -> None:
    _, distribution = site.only("AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    assert config["Aliases"] == ["chat.example.com"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert site.json["Outputs"][cloudfront_front.OUTPUT_DISTRIBUTION_URL]["Value"] == "https://chat.example.com/"


def test_site_bucket_is_private_and_readable_only_by_this_distribution(site: Synth) -> None:
    distribution_id, _ = site.only("AWS::CloudFront::Distribution")
    bucket_id = site.logical_id("AWS::S3::Bucket", "WebBucket")
    bucket = site.resources("AWS::S3::Bucket")[bucket_id]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": site.logical_id("AWS::S3::Bucket", "AccessLogs")
    }
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in site.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    deny, allow = policy
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert json.dumps({"Ref": distribution_id}) in json.dumps(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    (deployment,) = site.resources("Custom::CDKBucketDeployment").values()
    assert deployment["Properties"]["DestinationBucketName"] == {"Ref": bucket_id}
    assert deployment["Properties"]["DistributionId"] == {"Ref": distribution_id}


def _page_config(synth: Synth) -> tuple[dict[str, Any], dict[str, Any]]:
    """The deployed config.json (deploy-time values as their marker strings) and the markers' values."""
    (deployment,) = synth.resources("Custom::CDKBucketDeployment").values()
    keys = deployment["Properties"]["SourceObjectKeys"]
    staged = [synth.outdir / f"asset.{key.removesuffix('.zip')}" for key in keys]
    (config_dir,) = [path for path in staged if (path / web_hosting.PAGE_CONFIG_FILE).is_file()]
    text = (config_dir / web_hosting.PAGE_CONFIG_FILE).read_text(encoding="utf-8")
    # Deploy-time values are markers the deployment replaces with JSON text (quotes included).
    page = json.loads(re.sub(r"<<marker:0xbaba:\d+>>", lambda m: json.dumps(m.group()), text))
    return page, deployment["Properties"]["SourceMarkers"][staged.index(config_dir)]


def test_site_gets_a_config_json_pointing_the_page_at_its_own_origin(site: Synth, front: Synth) -> None:
    """web/src/config.js reads config.json next to index.html; behind CloudFront the page sends no SigV4."""
    page, markers = _page_config(site)
    assert page["auth"] == "none"
    assert markers[page["region"]] == {"Fn::Join": ["", ['"', {"Ref": "AWS::Region"}, '"']]}
    assert page["endpoint"] == "https://chat.example.com"  # the custom domain is known at synth time
    front.template.resource_count_is("Custom::CDKBucketDeployment", 0)


def test_web_hosting_preset_passes_cdk_nag(site: Synth) -> None:
    assert site.nag_findings() == []  # BucketDeployment's own handler findings acknowledged one by one


def test_web_hosting_without_a_built_page_is_a_config_error(tmp_path: Path) -> None:
    app = App(context={**CDK_CONTEXT, "cloudFront": True, "webHosting": True, **PUBLIC}, outdir=str(tmp_path / "out"))
    config = StackConfig.from_context(app.node.try_get_context)
    with pytest.raises(ConfigError, match=r"webHosting: .*has no index.html; build the page first"):
        BedrockStreamStack(app, "NoSite", config=config, env=ENV, web_dist_dir=tmp_path / "dist")


def test_app_py_reports_the_missing_page_as_a_config_error(tmp_path: Path) -> None:
    """What `cdk synth -c webHosting=true` prints when web/dist was not built (the CLI runs app.py like this).

    It runs a copy of app.py, infra/ and functions/ without web/ beside them, so it holds whether or not this
    checkout has built the page (make test always has)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy2(ROOT / "app.py", repo / "app.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("infra", "functions"):
        shutil.copytree(ROOT / package, repo / package, ignore=ignore)
    context = {**CDK_CONTEXT, "cloudFront": True, "webHosting": True, **PUBLIC, "aws:cdk:bundling-stacks": []}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CDK_", "AWS_"))}
    env |= {"CDK_OUTDIR": str(tmp_path / "out"), "CDK_CONTEXT_JSON": json.dumps(context)}
    done = subprocess.run([sys.executable, "app.py"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "invalid bedrock-stream configuration" in done.stderr
    assert "webHosting:" in done.stderr
    assert "Traceback" not in done.stderr


def test_wildcard_findings_name_each_wildcard_as_cdk_nag_does() -> None:
    document = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject*", "s3:PutObject"],
                "Resource": [
                    {"Fn::GetAtt": ["Bucket1", "Arn"]},
                    {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket1", "Arn"]}, "/*"]]},
                    {
                        "Fn::Join": [
                            "",
                            ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Fn::Sub": "a-${AWS::Region}"}, "/*"],
                        ]
                    },
                ],
            },
            {"Effect": "Allow", "Action": "cloudfront:CreateInvalidation", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        ]
    }
    assert wildcard_findings(document) == [
        "Action::s3:GetObject*",
        "Resource::<Bucket1.Arn>/*",
        "Resource::arn:<AWS::Partition>:s3:::a-<AWS::Region>/*",
        "Resource::*",
    ]


# -- API_KEY behind CloudFront ----------------------------------------------------------------------------------


def test_api_keys_behind_cloudfront_make_the_url_iam_for_the_distribution_only(keyed_site: Synth) -> None:
    """OAC needs an AWS_IAM URL: API_KEY mode's public (NONE) URL and its ``*`` permissions give way to the
    distribution's two permissions, while the function keeps checking keys (its key table setting stays)."""
    _, url = keyed_site.only("AWS::Lambda::Url")
    assert url["AuthType"] == "AWS_IAM"
    permissions = sorted(
        (p["Properties"]["Action"], p["Properties"]["Principal"])
        for p in keyed_site.resources("AWS::Lambda::Permission").values()
    )
    assert permissions == [
        ("lambda:InvokeFunction", "cloudfront.amazonaws.com"),
        ("lambda:InvokeFunctionUrl", "cloudfront.amazonaws.com"),
    ]
    function = keyed_site.resources("AWS::Lambda::Function")[url["TargetFunctionArn"]["Fn::GetAtt"][0]]
    (table_id,) = keyed_site.resources("AWS::DynamoDB::Table")
    assert function["Properties"]["Environment"]["Variables"]["BEDROCK_STREAM_API_KEY_TABLE"] == {"Ref": table_id}
    assert "x-api-key" in cloudfront_front.FORWARDED_HEADERS


def test_api_keys_behind_cloudfront_give_the_page_apikey_mode_and_pass_cdk_nag(keyed_site: Synth) -> None:
    assert _page_config(keyed_site)[0]["auth"] == "apikey"
    assert keyed_site.nag_findings() == []


# -- webHosting with browserAuth: a page-only distribution -------------------------------------------------------


def test_cognito_site_distribution_serves_only_the_page_and_the_url_stays_iam(cognito_site: Synth) -> None:
    """No Lambda origin behind it (OAC would overwrite the page's SigV4), so no CloudFront invoke permissions."""
    distribution_id, distribution = cognito_site.only("AWS::CloudFront::Distribution")
    (origin,) = distribution["DistributionConfig"]["Origins"]
    bucket_id = cognito_site.logical_id("AWS::S3::Bucket", "WebBucket")
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert distribution["DistributionConfig"]["DefaultRootObject"] == "index.html"
    assert "CacheBehaviors" not in distribution["DistributionConfig"]
    (oac,) = [r["Properties"] for r in cognito_site.resources("AWS::CloudFront::OriginAccessControl").values()]
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert cognito_site.only("AWS::Lambda::Url")[1]["AuthType"] == "AWS_IAM"
    cognito_site.template.resource_count_is("AWS::Lambda::Permission", 0)
    outputs = cognito_site.template.find_outputs("*")
    assert outputs[cloudfront_front.OUTPUT_DISTRIBUTION_URL]["Value"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/"]]
    }


def test_the_urls_cors_lets_the_hosted_page_in(cognito_site: Synth, cognito_site_hosted_ui: Synth) -> None:
    """Without cors: the default SigV4 CORS for the distribution's origin only; with cors: its origins plus that."""
    distribution_id, _ = cognito_site.only("AWS::CloudFront::Distribution")
    page_origin = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    cors = cognito_site.only("AWS::Lambda::Url")[1]["Cors"]
    assert cors["AllowOrigins"] == [page_origin]
    assert set(SIGV4_CORS_HEADERS) <= set(cors["AllowHeaders"])
    assert (cors["AllowMethods"], cors["AllowCredentials"]) == (["GET", "POST"], False)
    hosted_id, _ = cognito_site_hosted_ui.only("AWS::CloudFront::Distribution")
    hosted_cors = cognito_site_hosted_ui.only("AWS::Lambda::Url")[1]["Cors"]
    assert hosted_cors["AllowOrigins"] == [
        ORIGIN,
        {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [hosted_id, "DomainName"]}]]},
    ]


def test_cognito_site_config_json_gives_the_page_the_url_and_the_pool_ids(
    cognito_site: Synth, cognito_site_hosted_ui: Synth
) -> None:
    """web/src/config.js mode ``cognito``: the Function URL to sign to and the ids to sign in with."""
    page, markers = _page_config(cognito_site)
    url_id, _ = cognito_site.only("AWS::Lambda::Url")
    pool_id = cognito_site.logical_id("AWS::Cognito::UserPool", "BrowserAuthUserPool")
    client_id = cognito_site.logical_id("AWS::Cognito::UserPoolClient", "BrowserAuthUserPoolWebClient")
    identity_id = cognito_site.logical_id("AWS::Cognito::IdentityPool", "BrowserAuthIdentityPool")

    def quoted(value: Any) -> dict[str, Any]:
        return {"Fn::Join": ["", ['"', value, '"']]}

    assert page["auth"] == "cognito"
    assert set(page) == {"endpoint", "auth", "region", "userPoolId", "userPoolClientId", "identityPoolId"}
    assert markers[page["endpoint"]] == quoted({"Fn::GetAtt": [url_id, "FunctionUrl"]})
    assert markers[page["region"]] == quoted({"Ref": "AWS::Region"})
    assert markers[page["userPoolId"]] == quoted({"Ref": pool_id})
    assert markers[page["userPoolClientId"]] == quoted({"Ref": client_id})
    assert markers[page["identityPoolId"]] == quoted({"Ref": identity_id})
    hosted, hosted_markers = _page_config(cognito_site_hosted_ui)
    assert "hostedUiDomain" in hosted
    assert "amazoncognito.com" in json.dumps(hosted_markers[hosted["hostedUiDomain"]])


def test_cognito_site_passes_cdk_nag(cognito_site: Synth, cognito_site_hosted_ui: Synth) -> None:
    assert cognito_site.nag_findings() == []
    assert cognito_site_hosted_ui.nag_findings() == []
