"""The bedrock-stream stack: one streaming function behind a Function URL, plus the outputs clients discover it by."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final

from aws_cdk import Annotations, Aws, CfnOutput, CfnRule, CfnRuleAssertion, Fn, Stack
from constructs import Construct

from infra.api_gateway_front import ApiGatewayFront
from infra.bedrock_access import GeoProfile, classify_model
from infra.browser_presets import add_browser_presets
from infra.config import StackConfig
from infra.model_lifecycle import lifecycle_warnings
from infra.streaming_function import StreamingFunction
from infra.web_hosting import WEB_DIST_DIR

__all__ = [
    "FUNCTIONS_DIR",
    "OUTPUT_API_KEY_TABLE",
    "OUTPUT_AUTH_TYPE",
    "OUTPUT_FUNCTION_NAME",
    "OUTPUT_FUNCTION_URL",
    "OUTPUT_REGION",
    "BedrockStreamStack",
]

FUNCTIONS_DIR: Final = Path(__file__).resolve().parent.parent / "functions"

# Output keys: the client CLI finds the URL through these (CloudFormation DescribeStacks -> Outputs). The client
# never imports infra, so client.discovery.OUTPUT_KEY repeats the URL's key; tests/infra cross-checks the two.
OUTPUT_FUNCTION_URL: Final = "FunctionUrl"
OUTPUT_FUNCTION_NAME: Final = "FunctionName"
OUTPUT_REGION: Final = "Region"
OUTPUT_AUTH_TYPE: Final = "AuthType"
OUTPUT_API_KEY_TABLE: Final = "ApiKeyTable"
"""authType API_KEY only: the key table, where ``bedrock-stream keys`` finds it (client.api_keys.OUTPUT_TABLE)."""


class BedrockStreamStack(Stack):
    """Composes :class:`StreamingFunction` from the typed config and exports the URL, function name and Region.

    ``today`` dates the model-lifecycle warnings (default: the synth machine's date); ``web_dist_dir`` is the built
    page the ``webHosting`` preset uploads.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        code_dir: Path = FUNCTIONS_DIR,
        web_dist_dir: Path = WEB_DIST_DIR,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, description="bedrock-stream: streaming Amazon Bedrock endpoint", **kwargs)
        self.config = config
        self.streaming = StreamingFunction(self, "Streaming", config=config, code_dir=code_dir)

        CfnOutput(self, OUTPUT_FUNCTION_URL, value=self.streaming.url.url, description="Streaming Function URL")
        CfnOutput(self, OUTPUT_FUNCTION_NAME, value=self.streaming.function.function_name, description="Function name")
        CfnOutput(self, OUTPUT_REGION, value=Aws.REGION, description="Region of the function (SigV4 signing)")
        CfnOutput(self, OUTPUT_AUTH_TYPE, value=config.auth_type, description="Function URL auth type")
        self.api_gateway: ApiGatewayFront | None = None
        if config.api_gateway is not None:  # frontDoor apiGateway
            target = self.streaming.alias or self.streaming.function
            self.api_gateway = ApiGatewayFront(
                self,
                "ApiGateway",
                config=config.api_gateway,
                target=target,
                log_retention_days=config.log_retention_days,
                heartbeat_s=config.heartbeat_s,
            )
        self.browser = add_browser_presets(self, config, self.streaming, web_dist_dir=web_dist_dir)
        if self.streaming.api_keys is not None:
            table = self.streaming.api_keys.table.table_name
            CfnOutput(self, OUTPUT_API_KEY_TABLE, value=table, description="API key table (bedrock-stream keys)")

        if config.auth_type == "NONE":
            Annotations.of(self).add_warning_v2(
                "bedrock-stream:public-url",
                "authType NONE: the Function URL is public; anyone who finds it can call Bedrock at your expense",
            )
        if config.auth_type == "NONE" and config.reserved_concurrency is None:
            Annotations.of(self).add_warning_v2(
                "bedrock-stream:unreserved-public-url",
                "authType NONE without reservedConcurrency (allowUnreservedConcurrency): nothing caps parallel streams",
            )
        for message in lifecycle_warnings(
            config.models,
            geo_regions=config.geo_regions,
            model_sources=config.model_sources,
            today=today or dt.date.today(),
        ):
            Annotations.of(self).add_warning_v2("bedrock-stream:model-lifecycle", message)
        self._require_source_regions(config)

    def _require_source_regions(self, config: StackConfig) -> None:
        """Fail the deployment early (CloudFormation rule) if the stack Region is outside a geo profile's geography."""
        geos = sorted(
            {
                ref.geo
                for ref in (classify_model(m, config.geo_regions) for m in config.models)
                if isinstance(ref, GeoProfile)
            }
        )
        for geo in geos:
            regions = list(config.geo_regions[geo])
            CfnRule(
                self,
                f"RegionIn{geo.replace('-', ' ').title().replace(' ', '')}Geography",
                assertions=[
                    CfnRuleAssertion(
                        assert_=Fn.condition_contains(regions, Aws.REGION),
                        assert_description=(
                            f"{geo}. inference profiles can only be called from {', '.join(regions)}; "
                            "deploy there or change the models list"
                        ),
                    )
                ],
            )
