"""The bandwidth cap of API Gateway response streaming (first bytes uncapped, then a fixed rate;
https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html), on a virtual clock."""

from __future__ import annotations

import pytest

from emulator.bandwidth import BandwidthCap


class Virtual:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def cap(uncapped: int, rate: float, virtual: Virtual) -> BandwidthCap:
    return BandwidthCap(uncapped, rate, clock=lambda: virtual.now, sleep=virtual.sleep)


def test_the_uncapped_bytes_never_wait() -> None:
    virtual = Virtual()
    shaper = cap(10_000_000, 2_000_000, virtual)
    for _ in range(100):
        assert shaper.pace(100_000) == 0.0
    assert (virtual.sleeps, shaper.sent) == ([], 10_000_000)


def test_bytes_beyond_the_allowance_flow_at_the_rate() -> None:
    virtual = Virtual()
    shaper = cap(1000, 500, virtual)
    assert shaper.pace(800) == 0.0
    assert shaper.pace(400) == pytest.approx(0.4)  # 200 free, 200 capped at 500 B/s
    assert shaper.pace(500) == pytest.approx(1.0)
    assert virtual.now == pytest.approx(1.4)  # 700 capped bytes / 500 B/s


def test_a_slow_producer_is_not_made_slower() -> None:
    """Time that passed between writes counts: a writer below the rate never waits."""
    virtual = Virtual()
    shaper = cap(0, 1000, virtual)
    shaper.pace(100)  # 0.1 s
    virtual.now += 5.0  # the function was silent
    assert shaper.pace(100) == 0.0


@pytest.mark.parametrize(("uncapped", "rate"), [(-1, 1.0), (0, 0.0)])
def test_invalid_limits(uncapped: int, rate: float) -> None:
    with pytest.raises(ValueError, match="uncapped allowance"):
        BandwidthCap(uncapped, rate)
