"""Lambda Managed Instances in the stack: the ``managedInstances`` context key, its checks and the synthesized template.

Expected shapes from the AWS CDK aws-lambda ``CapacityProvider`` / ``CapacityProvider.add_function`` (the function's
``CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig``), the AWS Lambda developer guide
(lambda-managed-instances-best-practices.html: 2 GB minimum; snapstart.html / lambda-managed-instances.html: no
SnapStart with LMI) and the RESPONSE_STREAM Function URL on an alias of an LMI function in
awslabs/aws-lambda-web-adapter, examples/fastapi-response-streaming-lmi/template.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Match, Template

from infra.checks import apply_checks
from infra.config import ConfigError, StackConfig
from infra.managed_instances import ManagedInstancesConfig
from infra.stack import BedrockStreamStack

ROOT = Path(__file__).resolve().parents[2]
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
GROUPS = ["sg-0123456789abcdef0"]
LMI = {"subnetIds": SUBNETS, "securityGroupIds": GROUPS, "perExecutionEnvironmentMaxConcurrency": 32}


def load(**overrides: Any) -> StackConfig:
    return StackConfig.from_context({**CDK_CONTEXT, **overrides}.get)


def problems(**overrides: Any) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        load(**overrides)
    return info.value.problems


def test_unset_means_standard_lambda_and_a_valid_value_is_read_whole() -> None:
    assert load().managed_instances is None
    config = load(
        memoryMb=4096,
        managedInstances={**LMI, "memoryGiBPerVCpu": 4, "instanceTypes": ["m7g.large", "m7g.xlarge"], "maxVCpu": 64},
    )
    assert config.managed_instances == ManagedInstancesConfig(
        subnet_ids=tuple(SUBNETS),
        security_group_ids=tuple(GROUPS),
        per_execution_environment_max_concurrency=32,
        memory_gib_per_vcpu=4.0,
        instance_types=("m7g.large", "m7g.xlarge"),
        max_vcpu=64,
    )
    as_text = load(memoryMb="2048", managedInstances=json.dumps(LMI))  # -c managedInstances='{...}'
    assert as_text.managed_instances is not None
    assert as_text.managed_instances.per_execution_environment_max_concurrency == 32


def test_every_impossible_combination_is_one_clear_config_error() -> None:
    found = problems(
        memoryMb=1024,
        snapStart=True,
        managedInstances={
            "subnetIds": ["subnet-xyz"],
            "securityGroupIds": [],
            "perExecutionEnvironmentMaxConcurrency": 0,
            "memoryGiBPerVCpu": 9,
            "instanceType": "m7g.large",
        },
    )
    text = "\n".join(found)
    assert "managedInstances: unknown keys instanceType" in text
    assert "managedInstances.subnetIds: 'subnet-xyz' not of the form" in text
    assert "managedInstances.securityGroupIds: expected a non-empty list of ids" in text
    assert "managedInstances.perExecutionEnvironmentMaxConcurrency: expected an integer within 1..1600" in text
    assert "managedInstances.memoryGiBPerVCpu: expected a number within 2..8, got 9" in text
    assert "snapStart: SnapStart is not available on Lambda Managed Instances" in text
    assert "memoryMb: 1024 is below the 2048 MB a Lambda Managed Instances function needs" in text
    assert problems(memoryMb=2048, managedInstances={**LMI, "perExecutionEnvironmentMaxConcurrency": 64}) == (
        "managedInstances.perExecutionEnvironmentMaxConcurrency: 64 worker processes need about 2624 MB "
        "(40 MB each + 64 MB); memoryMb is 2048",
    )
    assert load(memoryMb=4096, managedInstances={**LMI, "perExecutionEnvironmentMaxConcurrency": 64})
    assert problems(memoryMb=4096, managedInstances=["subnet-0123456789abcdef0"]) == (
        "managedInstances: expected an object {subnetIds, securityGroupIds, ...}, got ['subnet-0123456789abcdef0']",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    context = {**CDK_CONTEXT, "memoryMb": 4096, "managedInstances": {**LMI, "instanceTypes": ["m7g.large"]}}
    app = App(context={**context, "aws:cdk:bundling-stacks": []}, outdir=str(tmp_path_factory.mktemp("cdkout-lmi")))
    config = StackConfig.from_context(app.node.try_get_context)
    stack = BedrockStreamStack(app, "BedrockStreamLmi", config=config, env=Environment(account="111122223333"))
    apply_checks(app, stack, config)
    assembly = app.synth()  # cdk-nag: raises on any unacknowledged finding
    return Template.from_json(assembly.get_stack_by_name(stack.stack_name).template)


def test_the_capacity_provider_uses_the_configured_vpc_and_instances(template: Template) -> None:
    template.resource_count_is("AWS::Lambda::CapacityProvider", 1)
    template.has_resource_properties(
        "AWS::Lambda::CapacityProvider",
        {
            "VpcConfig": {"SubnetIds": SUBNETS, "SecurityGroupIds": GROUPS},
            "InstanceRequirements": Match.object_like(
                {"Architectures": ["arm64"], "AllowedInstanceTypes": ["m7g.large"]}
            ),
            "PermissionsConfig": {"CapacityProviderOperatorRoleArn": Match.any_value()},
        },
    )


def test_the_function_runs_on_it_with_its_slots_and_the_url_streams_from_the_published_alias(
    template: Template,
) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "MemorySize": 4096,
            "CapacityProviderConfig": {
                "LambdaManagedInstancesCapacityProviderConfig": {
                    "CapacityProviderArn": {"Fn::GetAtt": [Match.string_like_regexp("CapacityProvider"), "Arn"]},
                    "PerExecutionEnvironmentMaxConcurrency": 32,
                }
            },
            "LoggingConfig": Match.object_like({"LogFormat": "JSON"}),
        },
    )
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "live"})
    template.has_resource_properties("AWS::Lambda::Url", {"InvokeMode": "RESPONSE_STREAM", "Qualifier": "live"})
    assert "SnapStart" not in json.dumps(template.find_resources("AWS::Lambda::Function"))
