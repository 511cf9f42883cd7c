"""``bench.cpu_quota.quota_us``: Lambda's CPU share (1,769 MB = one vCPU) as a CFS quota."""

from __future__ import annotations

import pytest

from bench.cpu_quota import FULL_VCPU_MB, quota_us


@pytest.mark.parametrize(
    ("memory_mb", "expected"),
    [(128, 7236), (256, 14471), (512, 28943), (1024, 57886), (1769, 100_000), (3538, 200_000)],
)
def test_the_quota_is_the_period_times_memory_over_1769(memory_mb: int, expected: int) -> None:
    assert quota_us(memory_mb, 100_000) == expected


def test_the_quota_scales_with_the_period() -> None:
    assert quota_us(FULL_VCPU_MB, 20_000) == 20_000
    assert quota_us(128, 20_000) == 1447


def test_the_quota_never_goes_below_the_kernel_minimum() -> None:
    assert quota_us(1, 1000) == 1000


@pytest.mark.parametrize(("memory_mb", "period_us"), [(0, 100_000), (128, 999), (128, 1_000_001)])
def test_out_of_range_inputs_are_refused(memory_mb: int, period_us: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        quota_us(memory_mb, period_us)
