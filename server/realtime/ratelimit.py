from __future__ import annotations

import time

EVENTS_PER_SECOND = 50.0
BURST_EVENTS = 200.0


class TokenBucket:
    """Allows EVENTS_PER_SECOND on average with bursts of BURST_EVENTS. Uses the monotonic
    clock: a rate limit protects the process, it is not business time."""

    __slots__ = ("tokens", "stamp", "rate", "burst")

    def __init__(self, rate: float = EVENTS_PER_SECOND, burst: float = BURST_EVENTS) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
