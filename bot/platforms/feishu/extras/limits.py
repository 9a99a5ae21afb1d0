"""Client-side throttle for Feishu sends: 5 QPS per chat or user, 50 QPS per app, and 429 pauses."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

from bot.core.errors import TransientDeliveryError

MAX_WAIT = 2.0  # seconds the sender may wait in line; longer waits go back to the outbox as retries


class Throttle:
    """Sliding one-second windows per target and per app, plus a pause after the gateway says 429."""

    def __init__(self, per_target: int = 5, per_app: int = 50, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_target, self.per_app = per_target, per_app
        self._mono, self._sleep = monotonic, sleep
        self._targets: dict[str, deque[float]] = defaultdict(deque)
        self._app: deque[float] = deque()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every send until x-ogw-ratelimit-reset has passed."""
        self._paused_until = max(self._paused_until, self._mono() + max(seconds, 0.0))

    def _wait(self, target: str, now: float) -> float:
        waits = [self._paused_until - now]
        for window, limit in ((self._targets[target], self.per_target), (self._app, self.per_app)):
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                waits.append(window[0] + 1.0 - now)
        return max(waits)

    async def acquire(self, target: str) -> None:
        """Wait for a free slot (at most MAX_WAIT), else raise TransientDeliveryError to retry later."""
        while True:
            now = self._mono()
            wait = self._wait(target, now)
            if wait <= 0:
                self._targets[target].append(now)
                self._app.append(now)
                return
            if wait > MAX_WAIT:
                raise TransientDeliveryError(f"Feishu rate limit: next slot for {target} in {wait:.1f} s")
            await self._sleep(wait)
