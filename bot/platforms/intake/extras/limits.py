"""The expo form's rate limit: at most [leads] expo_per_minute hits per client address in any sliding minute."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from bot.core.errors import BadRequest


class TooManyRequests(BadRequest):
    """A client address over the expo form's rate limit."""

    status = 429


class RateLimiter:
    """At most `per_minute` hits per client address in any sliding minute; the clock is injected."""

    def __init__(self, per_minute: Callable[[], int], now: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.now = per_minute, now
        self.hits: dict[str, deque] = defaultdict(deque)

    def allow(self, client: str) -> bool:
        """Count a hit; False when the client is over its budget."""
        t, hits = self.now(), self.hits[client]
        while hits and hits[0] <= t - 60:
            hits.popleft()
        if len(hits) >= self.per_minute():
            return False
        hits.append(t)
        return True
