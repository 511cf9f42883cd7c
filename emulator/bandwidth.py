"""A response bandwidth cap: the first bytes flow freely, the rest at a fixed rate (pure timing, no I/O).

API Gateway's response streaming sends the first 10 MB of each response without a bandwidth limit and caps what
follows at 2 MB/s (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html,
"Considerations"). :class:`BandwidthCap` paces writes the same way: before a write of ``size`` bytes it waits until
every byte beyond the uncapped allowance could have left at ``bytes_per_second`` since the first of them. The clock
and the sleep are parameters, so tests run it on a virtual clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["BandwidthCap"]


class BandwidthCap:
    """Paces one response: ``uncapped_bytes`` free, then ``bytes_per_second``."""

    def __init__(
        self,
        uncapped_bytes: int,
        bytes_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if uncapped_bytes < 0 or bytes_per_second <= 0:
            raise ValueError("the uncapped allowance must be 0 or more and the rate positive")
        self._uncapped = uncapped_bytes
        self._rate = bytes_per_second
        self._clock = clock
        self._sleep = sleep
        self._sent = 0
        self._capped = 0
        self._capped_since: float | None = None

    @property
    def sent(self) -> int:
        """Bytes paced so far."""
        return self._sent

    def pace(self, size: int) -> float:
        """Wait before a write of ``size`` bytes as the cap requires; returns the seconds waited."""
        free = max(0, self._uncapped - self._sent)
        self._sent += size
        capped = size - min(size, free)
        if capped == 0:
            return 0.0
        now = self._clock()
        if self._capped_since is None:
            self._capped_since = now
        self._capped += capped
        wait = self._capped_since + self._capped / self._rate - now
        if wait <= 0:
            return 0.0
        self._sleep(wait)
        return wait
