"""Cost per million answers on standard Lambda (duration billing) and on Lambda Managed Instances (EC2 billing).

Prices are data with their source (:data:`PRICES`), read on :data:`PRICES_READ_ON` for US East (N. Virginia),
on-demand, Linux, before any free tier or Savings Plan. The arithmetic is pure and deterministic (unit tests in
tests/unit/bench/test_cost_model.py); the measured inputs come from :mod:`bench.lambda_share`.

Standard Lambda bills ``memory (GB) x duration (s)`` per answer plus a request charge; a streamed answer is billed
for the whole stream, and initialisation is billed as duration too ("Duration charges apply to code that runs in the
handler ... as well as initialization code", https://aws.amazon.com/lambda/pricing/). Response streaming adds a
per-GB charge only beyond the first 6 MB of each response, which a chat answer never reaches.

Lambda Managed Instances (LMI) bill the EC2 instances the capacity provider runs, plus a management fee of 15 % of
the instance's on-demand price, plus the same request charge; there is no duration charge
(https://aws.amazon.com/lambda/pricing/, "Lambda Managed Instances"). The model here is CPU- and slot-bound: an
execution environment of one vCPU takes ``concurrency`` answers at once and at most ``target_utilization`` of its
vCPU; the environment-seconds one million answers need follow from the slower of the two limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "EC2_INSTANCES",
    "PRICES",
    "PRICES_READ_ON",
    "AnswerShape",
    "Ec2Instance",
    "LambdaPrices",
    "LmiEstimate",
    "answer_duration_s",
    "lambda_cost_per_million",
    "lmi_estimate",
    "lmi_instance_for",
]

Arch = Literal["arm64", "x86_64"]

PRICES_READ_ON = "2026-12-02"
LAMBDA_PRICING_URL = "https://aws.amazon.com/lambda/pricing/"
EC2_PRICING_URL = "https://aws.amazon.com/ec2/pricing/on-demand/"
LMI_DOCS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html"
LMI_PYTHON_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-python-runtime.html"


@dataclass(frozen=True, slots=True)
class LambdaPrices:
    """One architecture's Lambda prices (first duration tier)."""

    per_gb_second: float
    per_million_requests: float
    source: str = LAMBDA_PRICING_URL


#: Standard Lambda, us-east-1, first tier (x86: first 6 billion GB-s a month; arm64: first 7.5 billion).
PRICES: dict[Arch, LambdaPrices] = {
    "x86_64": LambdaPrices(per_gb_second=0.0000166667, per_million_requests=0.20),
    "arm64": LambdaPrices(per_gb_second=0.0000133334, per_million_requests=0.20),
}
#: LMI: management fee as a fraction of the instance's on-demand price, and the request charge.
LMI_MANAGEMENT_FEE = 0.15
LMI_PER_MILLION_REQUESTS = 0.20


@dataclass(frozen=True, slots=True)
class Ec2Instance:
    """An EC2 instance type LMI can run on: vCPUs, memory and its on-demand hourly price (us-east-1, Linux)."""

    name: str
    arch: Arch
    vcpus: int
    memory_gib: int
    hourly_usd: float
    source: str = EC2_PRICING_URL

    @property
    def gib_per_vcpu(self) -> float:
        """Memory per vCPU: 2 (c), 4 (m) or 8 (r)."""
        return self.memory_gib / self.vcpus


#: The xlarge sizes of the current Graviton (arm64) and Intel (x86_64) c/m/r families.
EC2_INSTANCES: tuple[Ec2Instance, ...] = (
    Ec2Instance("c7g.xlarge", "arm64", 4, 8, 0.1450),
    Ec2Instance("m7g.xlarge", "arm64", 4, 16, 0.1632),
    Ec2Instance("r7g.xlarge", "arm64", 4, 32, 0.2142),
    Ec2Instance("c7i.xlarge", "x86_64", 4, 8, 0.1785),
    Ec2Instance("m7i.xlarge", "x86_64", 4, 16, 0.2016),
    Ec2Instance("r7i.xlarge", "x86_64", 4, 32, 0.2646),
)


@dataclass(frozen=True, slots=True)
class AnswerShape:
    """A typical answer: ``output_tokens`` at ``tokens_per_s`` after the model's own time to first token."""

    output_tokens: int = 500
    tokens_per_s: float = 50.0
    model_ttft_s: float = 0.5
    """Bedrock's time to the first token (an assumption; it is billed as duration while the function waits)."""
    tokens_per_delta: float = 1.0
    """Deltas per answer = tokens / this; 1 is the CPU-heaviest case (Bedrock often packs a few tokens per delta)."""
    cold_start_fraction: float = 0.01
    """Share of answers that start a new execution environment (standard Lambda only)."""

    @property
    def deltas(self) -> int:
        """Deltas in one answer."""
        return math.ceil(self.output_tokens / self.tokens_per_delta)

    @property
    def deltas_per_s(self) -> float:
        """The delta rate the model produces."""
        return self.tokens_per_s / self.tokens_per_delta


def answer_duration_s(shape: AnswerShape, added_ttfb_s: float, sustainable_deltas_per_s: float | None) -> float:
    """Billed seconds of one warm answer: TTFT + our added TTFB + the stream (longer if the function falls behind)."""
    rate = shape.deltas_per_s
    if sustainable_deltas_per_s is not None:
        rate = min(rate, sustainable_deltas_per_s)
    if rate <= 0:
        raise ValueError("the function sustains no deltas at all")
    return shape.model_ttft_s + added_ttfb_s + shape.deltas / rate


def lambda_cost_per_million(
    memory_mb: int, duration_s: float, arch: Arch, *, cold_start_s: float = 0.0, cold_start_fraction: float = 0.0
) -> float:
    """USD per million answers on standard Lambda: duration (GB-s, with billed cold starts) + requests."""
    price = PRICES[arch]
    gb = memory_mb / 1024
    seconds = duration_s + cold_start_fraction * cold_start_s
    return 1_000_000 * gb * seconds * price.per_gb_second + price.per_million_requests


def lmi_instance_for(memory_gib_per_vcpu: float, arch: Arch) -> Ec2Instance:
    """The cheapest listed instance of ``arch`` with at least ``memory_gib_per_vcpu`` GiB per vCPU."""
    fitting = [i for i in EC2_INSTANCES if i.arch == arch and i.gib_per_vcpu >= memory_gib_per_vcpu]
    if not fitting:
        raise ValueError(f"no listed {arch} instance has {memory_gib_per_vcpu:.1f} GiB per vCPU")
    return min(fitting, key=lambda instance: instance.hourly_usd)


@dataclass(frozen=True, slots=True)
class LmiEstimate:
    """What one million answers need on LMI, and what they cost."""

    concurrency: int
    instance: Ec2Instance
    memory_gib_per_vcpu: float
    answers_per_env_s: float
    bound: Literal["cpu", "concurrency"]
    env_hours_per_million: float
    instance_hours_per_million: float
    cost_per_million: float
    cpu_utilization: float
    """Average vCPU use of a busy environment (``answers_per_env_s x cpu_s_per_answer``)."""

    def fleet(self, answers_per_s: float) -> tuple[int, int]:
        """Execution environments and instances a steady ``answers_per_s`` needs (each rounded up)."""
        environments = math.ceil(answers_per_s / self.answers_per_env_s)
        return environments, math.ceil(environments / self.instance.vcpus)


def lmi_estimate(
    *,
    concurrency: int,
    answer_s: float,
    cpu_s_per_answer: float,
    rss_mib_per_process: float,
    arch: Arch,
    target_utilization: float = 0.7,
) -> LmiEstimate:
    """Steady-load LMI estimate for execution environments of one vCPU taking ``concurrency`` answers at once.

    The Python runtime runs one process per concurrent request (:data:`LMI_PYTHON_URL`), so an environment needs
    ``concurrency x rss`` of memory: that picks the memory-per-vCPU ratio (2..8 GiB) and so the instance family.
    An environment finishes ``min(concurrency / answer_s, target_utilization / cpu_s_per_answer)`` answers a second.
    """
    if concurrency < 1 or answer_s <= 0 or cpu_s_per_answer <= 0 or not 0 < target_utilization <= 1:
        raise ValueError("concurrency, answer duration, CPU per answer and utilisation must be positive")
    needed_gib = concurrency * rss_mib_per_process / 1024
    ratio = max(2.0, float(math.ceil(needed_gib)))
    if ratio > 8:
        raise ValueError(f"{concurrency} processes of {rss_mib_per_process:.0f} MiB need {needed_gib:.1f} GiB/vCPU")
    instance = lmi_instance_for(ratio, arch)
    by_slots = concurrency / answer_s
    by_cpu = target_utilization / cpu_s_per_answer
    rate = min(by_slots, by_cpu)
    env_seconds = 1_000_000 / rate
    instance_hours = env_seconds / instance.vcpus / 3600
    cost = instance_hours * instance.hourly_usd * (1 + LMI_MANAGEMENT_FEE) + LMI_PER_MILLION_REQUESTS
    return LmiEstimate(
        concurrency=concurrency,
        instance=instance,
        memory_gib_per_vcpu=ratio,
        answers_per_env_s=rate,
        bound="cpu" if by_cpu < by_slots else "concurrency",
        env_hours_per_million=env_seconds / 3600,
        instance_hours_per_million=instance_hours,
        cost_per_million=cost,
        cpu_utilization=rate * cpu_s_per_answer,
    )
