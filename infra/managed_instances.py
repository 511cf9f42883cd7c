"""Lambda Managed Instances (LMI): the ``managedInstances`` context key and the capacity provider it builds.

With ``managedInstances`` set, the function runs on EC2 instances of a Lambda capacity provider in the given VPC
subnets and security groups, and each execution environment serves up to ``perExecutionEnvironmentMaxConcurrency``
invocations at once (the runtime forks one worker per slot: functions/streaming_runtime/workers.py). Sources:

- AWS Lambda developer guide, https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html and
  lambda-managed-instances-core-concepts.html (capacity providers: VPC placement, instance requirements, scaling;
  functions run from published versions), lambda-managed-instances-best-practices.html (a function needs at least
  2 GB and 1 vCPU; Python wants 4 or 8 GiB per vCPU), lambda-managed-instances-python-runtime.html (one process per
  slot, default 16 per vCPU, JSON logs always) and lambda-managed-instances-runtimes.html (Python 3.13 and later);
- AWS CDK aws-lambda ``CapacityProvider`` (``subnets``, ``security_groups``, ``instance_type_filter``,
  ``max_v_cpu_count``) and ``CapacityProvider.add_function`` (``per_execution_environment_max_concurrency``,
  ``execution_environment_memory_gib_per_v_cpu``), which sets the function's ``CapacityProviderConfig``;
- response streaming through a Function URL on LMI: the RESPONSE_STREAM Function URL on an ``AutoPublishAlias`` of an
  LMI function in awslabs/aws-lambda-web-adapter, examples/fastapi-response-streaming-lmi/template.yaml.

Combinations refused at synth (``ConfigError``): SnapStart (treated as exclusive with LMI, conservatively: see
docs/managed-instances.md), memory below 2048 MB, more
slots than the runtime can fork sensibly (1..``MAX_SLOTS``) or than fit in the function's memory (each slot is a
worker process: ``SLOT_MEMORY_MB`` each plus ``SUPERVISOR_MEMORY_MB``), a GiB-per-vCPU ratio outside 2..8. The
ranges (1..1600 slots, 2.0..8.0 GiB per vCPU) are the API's,
https://docs.aws.amazon.com/lambda/latest/api/API_LambdaManagedInstancesCapacityProviderConfig.html.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from aws_cdk import Annotations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

__all__ = [
    "CONTEXT_KEY",
    "MAX_SLOTS",
    "MIN_MEMORY_MB",
    "ManagedInstancesConfig",
    "add_capacity_provider",
    "read_managed_instances",
]

CONTEXT_KEY: Final = "managedInstances"
MIN_MEMORY_MB: Final = 2048
MAX_SLOTS: Final = 1600
MEMORY_PER_VCPU: Final = (2.0, 8.0)
"""The allowed range of ``ExecutionEnvironmentMemoryGiBPerVCpu``."""
SLOT_MEMORY_MB: Final = 40
"""What one slot costs: a runtime worker after init and its first streams is ~33 MiB of private memory (USS,
``python -m bench.slot_memory``; docs/managed-instances.md), plus room for one invocation's buffers."""
SUPERVISOR_MEMORY_MB: Final = 64
"""The supervisor process (~7 MiB private, ~20 MiB resident) and the managed runtime's own share, rounded up."""
_SUBNET: Final = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP: Final = re.compile(r"^sg-[0-9a-f]{8,17}$")
_INSTANCE_TYPE: Final = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
_KEYS: Final = frozenset(
    {
        "subnetIds",
        "securityGroupIds",
        "perExecutionEnvironmentMaxConcurrency",
        "memoryGiBPerVCpu",
        "instanceTypes",
        "maxVCpu",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedInstancesConfig:
    """Where and how the function runs on Lambda Managed Instances."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    per_execution_environment_max_concurrency: int | None = None
    """Invocations one execution environment serves at once (None: Lambda's default for Python, 16 per vCPU)."""
    memory_gib_per_vcpu: float | None = None
    instance_types: tuple[str, ...] = ()
    max_vcpu: int | None = None


def _ids(
    value: Mapping[str, Any], key: str, pattern: re.Pattern[str], limit: int, problems: list[str]
) -> tuple[str, ...]:
    raw = value.get(key)
    if not isinstance(raw, list) or not raw or not all(isinstance(item, str) for item in raw):
        problems.append(f"{CONTEXT_KEY}.{key}: expected a non-empty list of ids, got {raw!r}")
        return ()
    bad = [item for item in raw if not pattern.fullmatch(item)]
    if bad:
        problems.append(f"{CONTEXT_KEY}.{key}: {', '.join(map(repr, bad))} not of the form {pattern.pattern}")
    if len(raw) > limit:
        problems.append(f"{CONTEXT_KEY}.{key}: at most {limit}, got {len(raw)}")
    if len(set(raw)) != len(raw):
        problems.append(f"{CONTEXT_KEY}.{key}: contains duplicates")
    return tuple(raw)


def _optional_int(value: Mapping[str, Any], key: str, low: int, high: int, problems: list[str]) -> int | None:
    raw = value.get(key)
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        problems.append(f"{CONTEXT_KEY}.{key}: expected an integer within {low}..{high}, got {raw!r}")
        return None
    return raw


def read_managed_instances(
    value: Any, *, memory_mb: int, snap_start: bool
) -> tuple[ManagedInstancesConfig | None, list[str]]:
    """The ``managedInstances`` context value (``None``: standard Lambda) and every problem found in it."""
    if value is None:
        return None, []
    if not isinstance(value, Mapping):
        return None, [f"{CONTEXT_KEY}: expected an object {{subnetIds, securityGroupIds, ...}}, got {value!r}"]
    problems: list[str] = []
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        problems.append(f"{CONTEXT_KEY}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    subnets = _ids(value, "subnetIds", _SUBNET, 16, problems)
    groups = _ids(value, "securityGroupIds", _SECURITY_GROUP, 5, problems)
    slots = _optional_int(value, "perExecutionEnvironmentMaxConcurrency", 1, MAX_SLOTS, problems)
    ratio = value.get("memoryGiBPerVCpu")
    low, high = MEMORY_PER_VCPU
    number = isinstance(ratio, int | float) and not isinstance(ratio, bool)
    if ratio is not None and (not number or not low <= ratio <= high):
        problems.append(f"{CONTEXT_KEY}.memoryGiBPerVCpu: expected a number within {low:g}..{high:g}, got {ratio!r}")
        ratio = None
    max_vcpu = _optional_int(value, "maxVCpu", 2, 15000, problems)
    raw_types = value.get("instanceTypes", [])
    if not isinstance(raw_types, list) or not all(
        isinstance(t, str) and _INSTANCE_TYPE.fullmatch(t) for t in raw_types
    ):
        problems.append(
            f"{CONTEXT_KEY}.instanceTypes: expected EC2 instance types such as m7g.large, got {raw_types!r}"
        )
        raw_types = []
    if snap_start:
        problems.append(f"snapStart: SnapStart is not available on Lambda Managed Instances ({CONTEXT_KEY} is set)")
    if slots is not None and slots * SLOT_MEMORY_MB + SUPERVISOR_MEMORY_MB > memory_mb:
        needed = slots * SLOT_MEMORY_MB + SUPERVISOR_MEMORY_MB
        problems.append(
            f"{CONTEXT_KEY}.perExecutionEnvironmentMaxConcurrency: {slots} worker processes need about {needed} MB "
            f"({SLOT_MEMORY_MB} MB each + {SUPERVISOR_MEMORY_MB} MB); memoryMb is {memory_mb}"
        )
    if memory_mb < MIN_MEMORY_MB:
        problems.append(
            f"memoryMb: {memory_mb} is below the {MIN_MEMORY_MB} MB a Lambda Managed Instances function needs "
            f"({CONTEXT_KEY} is set)"
        )
    config = ManagedInstancesConfig(
        subnet_ids=subnets,
        security_group_ids=groups,
        per_execution_environment_max_concurrency=slots,
        memory_gib_per_vcpu=None if ratio is None else float(ratio),
        instance_types=tuple(raw_types),
        max_vcpu=max_vcpu,
    )
    return (None if problems else config), problems


def _instance_filter(types: Sequence[str]) -> lambda_.InstanceTypeFilter | None:
    if not types:
        return None
    return lambda_.InstanceTypeFilter.allow([ec2.InstanceType(name) for name in types])


def add_capacity_provider(
    scope: Construct, function: lambda_.Function, config: ManagedInstancesConfig, *, architecture: lambda_.Architecture
) -> lambda_.CapacityProvider:
    """A capacity provider in the configured subnets and security groups, with ``function`` attached to it."""
    subnets = [ec2.Subnet.from_subnet_id(scope, f"Subnet{index}", sid) for index, sid in enumerate(config.subnet_ids)]
    for subnet in subnets:  # only the ids reach the capacity provider; nothing reads the route tables
        Annotations.of(subnet).acknowledge_warning(
            "@aws-cdk/aws-ec2:noSubnetRouteTableId", "the capacity provider takes subnet ids only"
        )
    groups = [
        ec2.SecurityGroup.from_security_group_id(scope, f"SecurityGroup{index}", gid)
        for index, gid in enumerate(config.security_group_ids)
    ]
    provider = lambda_.CapacityProvider(
        scope,
        "CapacityProvider",
        subnets=subnets,
        security_groups=groups,
        architectures=[architecture],
        instance_type_filter=_instance_filter(config.instance_types),
        max_v_cpu_count=config.max_vcpu,
    )
    provider.add_function(
        function,
        per_execution_environment_max_concurrency=config.per_execution_environment_max_concurrency,
        execution_environment_memory_gib_per_v_cpu=config.memory_gib_per_vcpu,
    )
    return provider
