"""CDK entry point: typed config from the context, the stack, cdk-nag. Configure in cdk.json or with -c key=value."""

from __future__ import annotations

from aws_cdk import App

from infra.checks import apply_checks
from infra.config import ConfigError, StackConfig
from infra.stack import BedrockStreamStack

app = App()
try:
    config = StackConfig.from_context(app.node.try_get_context)
except ConfigError as exc:
    raise SystemExit(str(exc)) from None
# No env: the stack is environment-agnostic, so every ARN uses the AWS::Region / AWS::AccountId pseudo parameters and
# CloudFormation fills in the Region it is deployed to. (The CDK CLI sets CDK_DEFAULT_REGION to us-east-1 when no
# Region is configured; passing that on would bake us-east-1 into an offline synth.)
try:
    stack = BedrockStreamStack(app, config.stack_name, config=config)
except ConfigError as exc:  # e.g. webHosting without a built web/dist
    raise SystemExit(str(exc)) from None
apply_checks(app, stack, config)
app.synth()
