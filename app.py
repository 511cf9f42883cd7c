"""CDK entry point: typed config from the context, the stack, cdk-nag. Configure in cdk.json or with -c key=value."""

from __future__ import annotations

import os

from aws_cdk import App, Environment

from infra.checks import apply_checks
from infra.config import ConfigError, StackConfig
from infra.stack import BedrockStreamStack

app = App()
try:
    config = StackConfig.from_context(app.node.try_get_context)
except ConfigError as exc:
    raise SystemExit(str(exc)) from None
# Account/Region come from the CLI's credentials when present; without them (CI) the stack stays environment-agnostic.
env = Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))
stack = BedrockStreamStack(app, config.stack_name, config=config, env=env)
apply_checks(app, stack, config)
app.synth()
