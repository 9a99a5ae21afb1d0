"""The sender: one lane per platform, sending in parallel across targets under caps shared by every replica.

Lanes (bot/sendlane.py) claim outbox rows under a fenced lease and deliver them through the platform
APIs; the caps (bot/platforms/quotas.py) live in the database (storage/repos/send_slots.py), so every
replica and every restart counts against the same windows. Rows of a platform that is not enabled are
dead-lettered with the fix in the reason.

Rate windows follow `rate_clock` — the real wall clock unless a test injects one — because the
platforms count in real time, whatever the playground's time travel has done to the business clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from bot.ackgate import AckGate
from bot.config import OutboxConfig
from bot.core.clock import Clock, SystemClock
from bot.core.stopping import cancel_and_wait
from bot.metrics import Metrics
from bot.sendlane import Lane
from storage.db import Database
from storage.repos import outbox
from storage.repos.send_slots import SlotStore

log = logging.getLogger("salesbot.sender")
STOP_WAIT = 5.0  # seconds a lane gets to finish its current pass when the sender stops


class Sender:
    """Deliver outbox rows through the platform APIs, one concurrent lane per platform."""

    def __init__(self, db: Database, clock: Clock, apis: dict[str, Any], cfg: OutboxConfig, metrics: Metrics,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, rate_clock: Clock | None = None,
                 gate: AckGate | None = None) -> None:
        self.db, self.clock, self.apis, self.cfg, self.metrics = db, clock, apis, cfg, metrics
        self.gate = gate or AckGate()  # a lane claims only between callbacks (bot/ackgate.py)
        self.rate_clock: Clock = rate_clock or SystemClock()
        self.slots = SlotStore(db)
        self._sleep = sleep
        self.lanes: dict[str, Lane] = {}
        self._tasks: list[asyncio.Task] = []

    def lane(self, platform: str) -> Lane:
        """The lane of a platform (made on first use, so APIs added later get one too)."""
        if platform not in self.lanes:
            self.lanes[platform] = Lane(self, platform, self.apis[platform], self._sleep)
        return self.lanes[platform]

    def count(self, name: str, help_: str, value: float, platform: str) -> None:
        """Add to a per-platform counter."""
        if value:
            self.metrics.inc(name, help_, value, platform=platform)

    def wake(self, platforms: Collection[str] | None = None) -> None:
        """Tell the lanes of `platforms` (default: every lane) that new rows are waiting."""
        for platform, lane in self.lanes.items():
            if platforms is None or platform in platforms:
                lane.wake.set()

    def start(self) -> None:
        """Run one lane per enabled platform in the background."""
        loop = asyncio.get_running_loop()
        lanes = [self.lane(p) for p in self.apis]
        for lane in lanes:
            lane.halted = False
        self._tasks = [loop.create_task(self._run(lane), name=f"outbox-{lane.platform}") for lane in lanes]

    async def _run(self, lane: Lane) -> None:
        with contextlib.suppress(Exception):
            await self.retire_orphans()
        await lane.run()

    async def stop(self) -> None:
        """Stop the lanes after their current pass; rows still claimed go to any sender after their lease."""
        for lane in self.lanes.values():
            lane.halt()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=STOP_WAIT)
            # a pass stuck on an unreachable database is cancelled after all; cancelling the others is a no-op
            await cancel_and_wait(self._tasks)
        self._tasks = []
        await asyncio.gather(*(lane.stop() for lane in self.lanes.values()), return_exceptions=True)

    async def run_once(self, limit: int = 50) -> int:
        """One pass of every lane in parallel; return how many rows were claimed."""
        await self.retire_orphans()
        counts = await asyncio.gather(*(self.lane(p).run_once() for p in self.apis))
        return sum(counts)

    async def retire_orphans(self) -> int:
        """Dead-letter due rows of platforms that are not enabled (they could never be sent)."""
        dead = await outbox.dead_unknown(self.db, list(self.apis), self.clock.now())
        for platform, n in dead.items():
            log.warning("outbox rows for a disabled platform dead-lettered", extra={"platform": platform, "rows": n})
            self.count("salesbot_outbox_dead_total", "Messages dead-lettered", n, platform)
        return sum(dead.values())
