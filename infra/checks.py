"""cdk-nag AwsSolutions checks (cdk-nag 3.x policy-validation plugin API) and the reasoned acknowledgements.

cdk-nag 3.x replaced the v2 Aspect API: plugins go through ``Validations.of(app).add_plugins`` and findings are
acknowledged one granular id at a time with ``Acknowledgment(id=..., reason=...)`` (cdk-nag README,
https://github.com/cdklabs/cdk-nag).
An unacknowledged error makes ``app.synth()`` raise, so synth is the gate.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from infra.api_gateway_front import acknowledgements as api_gateway_acknowledgements
from infra.config import StackConfig

__all__ = ["acknowledgements", "apply_checks"]


def acknowledgements(config: StackConfig) -> list[Acknowledgment]:
    """The findings this configuration produces on purpose, each with the reason it is acceptable."""
    acks: list[Acknowledgment] = []
    if config.xray_tracing:
        acks.append(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions",
            )
        )
    if config.python_runtime != "python3.14":
        acks.append(
            Acknowledgment(
                id="AwsSolutions-L1",
                reason=(
                    f"{config.python_runtime} was chosen explicitly (pythonRuntime) and is a supported Lambda runtime "
                    "with a matching Powertools layer; python3.14 is the default"
                ),
            )
        )
    if config.managed_instances is not None:
        acks.append(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSLambdaManagedEC2ResourceOperator]",
                reason=(
                    "the capacity provider's operator role (managedInstances) uses the managed policy AWS publishes "
                    "for Lambda to launch and manage the instances (lambda-managed-instances-core-concepts.html)"
                ),
            )
        )
    if config.api_gateway is not None:
        acks.extend(api_gateway_acknowledgements(config.api_gateway))
    return acks


def apply_checks(app: App, stack: Stack, config: StackConfig) -> None:
    """Run AwsSolutions checks on the whole app and acknowledge the intended findings on ``stack``."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    for ack in acknowledgements(config):
        Validations.of(stack).acknowledge(ack)
