"""``browserAuth: "cognito"``: browsers sign in to a user pool, trade the ID token for temporary credentials at an
identity pool, and call the Function URL (AWS_IAM) with SigV4. The credentials can do nothing else.

Sources:
- Lambda, control access to Function URLs (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html): callers of
  an AWS_IAM URL need ``lambda:InvokeFunctionUrl`` and, for URLs created since October 2025, ``lambda:InvokeFunction``;
  condition keys ``lambda:FunctionUrlAuthType`` and ``lambda:InvokedViaFunctionUrl``
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html). AWS CDK
  ``FunctionBase.grantInvokeUrl`` (aws-cdk-lib 2.275, aws-lambda/lib/function-base) grants the same two statements;
  they are written out here so the resource list also names the SnapStart alias and nothing else.
- Cognito identity pools: role trust for authenticated identities (``cognito-identity.amazonaws.com:aud`` = the pool,
  ``amr`` = ``authenticated``), https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html;
  enhanced (simplified) flow and no guest access,
  https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html and
  https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools.html.
- Cognito user pools: public app clients without a secret for SPAs, SRP sign-in
  (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html), authorization
  code grant with PKCE for the hosted UI
  (https://docs.aws.amazon.com/cognito/latest/developerguide/using-pkce-in-authorization-code.html), feature plans
  and threat protection
  (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-threat-protection.html).
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, Aws, CfnOutput, Duration, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.browser_config import BrowserAuthConfig

__all__ = [
    "OUTPUT_HOSTED_UI_DOMAIN",
    "OUTPUT_IDENTITY_POOL_ID",
    "OUTPUT_USER_POOL_CLIENT_ID",
    "OUTPUT_USER_POOL_ID",
    "BrowserAuth",
    "invoke_url_statements",
]

OUTPUT_USER_POOL_ID: Final = "UserPoolId"
OUTPUT_USER_POOL_CLIENT_ID: Final = "UserPoolClientId"
OUTPUT_IDENTITY_POOL_ID: Final = "IdentityPoolId"
OUTPUT_HOSTED_UI_DOMAIN: Final = "HostedUiDomain"

_MFA: Final = {"off": cognito.Mfa.OFF, "optional": cognito.Mfa.OPTIONAL, "required": cognito.Mfa.REQUIRED}
_PLANS: Final = {"PLUS": cognito.FeaturePlan.PLUS, "ESSENTIALS": cognito.FeaturePlan.ESSENTIALS}


def invoke_url_statements(function_arns: list[str]) -> list[iam.PolicyStatement]:
    """Invoke these ARNs through their AWS_IAM Function URL only: the URL action, and the invoke it implies."""
    return [
        iam.PolicyStatement(
            sid="InvokeFunctionUrl",
            actions=["lambda:InvokeFunctionUrl"],
            resources=function_arns,
            conditions={"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}},
        ),
        iam.PolicyStatement(
            sid="InvokeFunctionViaUrl",
            actions=["lambda:InvokeFunction"],
            resources=function_arns,
            conditions={"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
        ),
    ]


class BrowserAuth(Construct):
    """User pool, public SPA client, identity pool without guests, and the one role its users get."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: BrowserAuthConfig,
        function: lambda_.IFunction,
        alias: lambda_.IFunction | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=config.self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=_MFA[config.mfa],
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False) if config.mfa != "off" else None,
            feature_plan=_PLANS[config.feature_plan],
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if config.feature_plan == "PLUS" else None
            ),
        )
        hosted_ui = bool(config.callback_urls)
        self.client = self.user_pool.add_client(
            "WebClient",
            generate_secret=False,  # a browser cannot keep a secret
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            disable_o_auth=not hosted_ui,
            o_auth=(
                cognito.OAuthSettings(
                    flows=cognito.OAuthFlows(authorization_code_grant=True),  # PKCE: Cognito checks code_challenge
                    scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                    callback_urls=list(config.callback_urls),
                    logout_urls=list(config.logout_urls) or None,
                )
                if hosted_ui
                else None
            ),
        )
        self.domain: cognito.UserPoolDomain | None = None
        if config.domain_prefix is not None:
            self.domain = self.user_pool.add_domain(
                "HostedUi", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=config.domain_prefix)
            )

        self.identity_pool = cognito.CfnIdentityPool(
            self,
            "IdentityPool",
            allow_unauthenticated_identities=False,
            allow_classic_flow=False,
            cognito_identity_providers=[
                cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                    client_id=self.client.user_pool_client_id,
                    provider_name=self.user_pool.user_pool_provider_name,
                    server_side_token_check=True,
                )
            ],
        )
        self.authenticated_role = iam.Role(
            self,
            "AuthenticatedRole",
            description="bedrock-stream browser users (Cognito identity pool): invoke the Function URL only",
            assumed_by=iam.WebIdentityPrincipal(
                "cognito-identity.amazonaws.com",
                conditions={
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": self.identity_pool.ref},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
            ),
            max_session_duration=Duration.hours(1),
        )
        arns = [function.function_arn] + ([alias.function_arn] if alias is not None else [])
        for statement in invoke_url_statements(arns):
            self.authenticated_role.add_to_principal_policy(statement)
        # Only the authenticated role: guests are off, so there is no unauthenticated role at all.
        cognito.CfnIdentityPoolRoleAttachment(
            self,
            "Roles",
            identity_pool_id=self.identity_pool.ref,
            roles={"authenticated": self.authenticated_role.role_arn},
        )
        self._acknowledge(config)

    def add_outputs(self, scope: Construct) -> None:
        """What the page needs to sign in and sign: pool, client, identity pool (plus the hosted UI's domain)."""
        CfnOutput(scope, OUTPUT_USER_POOL_ID, value=self.user_pool.user_pool_id, description="Cognito user pool id")
        CfnOutput(
            scope,
            OUTPUT_USER_POOL_CLIENT_ID,
            value=self.client.user_pool_client_id,
            description="Cognito app client id (public, no secret)",
        )
        CfnOutput(scope, OUTPUT_IDENTITY_POOL_ID, value=self.identity_pool.ref, description="Cognito identity pool id")
        if self.domain is not None:
            CfnOutput(
                scope,
                OUTPUT_HOSTED_UI_DOMAIN,
                value=f"https://{self.domain.domain_name}.auth.{Aws.REGION}.amazoncognito.com",
                description="Cognito hosted UI base URL (authorization code + PKCE)",
            )

    def _acknowledge(self, config: BrowserAuthConfig) -> None:
        """The cdk-nag findings a chosen option produces on purpose, each with its reason, on the user pool only."""
        if config.mfa != "required":
            Validations.of(self.user_pool).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-COG2",
                    reason=(
                        f"browserAuth.mfa is {config.mfa}: users can enrol TOTP, and threat protection asks for it on "
                        "risky sign-ins; set mfa required to make it mandatory"
                        if config.mfa == "optional"
                        else "browserAuth.mfa off was chosen explicitly"
                    ),
                )
            )
        if config.feature_plan != "PLUS":
            Validations.of(self.user_pool).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-COG8",
                    reason=f"browserAuth.featurePlan {config.feature_plan} chosen explicitly (no threat protection)",
                )
            )
