"""A lane's side of the shared send caps: take the slots a send counts against, settle them once it is answered.

The platform counts a send when it arrives, which is any moment between taking its slots and its answer (the
lane's loop, a token refresh, a local pause come between). So taken slots are held ahead while the send is in
flight (storage/repos/send_slots.py) and settled, in batches with the lane's marks, at the moment the send was
answered. A send that timed out may still reach the platform later (make prove's hanging Feishu took requests
20 s late), so its slots stay held for one more send timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.config import OutboxConfig
from storage.repos.send_slots import Grant, Limit, SlotStore

log = logging.getLogger("salesbot.sender")
SLOT_TRIES = 8
HOLD_MARGIN = 1.0  # seconds past the send timeout a taken slot stays held if its settle never comes (a crash)


class LaneSlots:
    """Take slots one lane at a time, remember answered sends, and settle their slots in one statement."""

    def __init__(self, store: SlotStore, clock: Callable[[], datetime], cfg: OutboxConfig,
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.store, self.clock, self.cfg, self._sleep = store, clock, cfg, sleep
        self.settles: list[tuple[Grant, datetime]] = []  # answered sends whose slots still hold ahead
        self.unanswered: set[int] = set()  # rows whose send timed out
        self._taking = asyncio.Lock()
        self._full: dict[str, datetime] = {}  # scope -> when its next slot frees, as the last refused take said
        self.paused_until: datetime | None = None  # a lane-wide cap is full past max_wait: claim nothing till then

    async def take(self, limits: Sequence[Limit]) -> Grant:
        """Take a slot in every limit, waiting in line up to max_wait; a grant with `wait` means later."""
        waited, hold = 0.0, self.cfg.send_timeout_seconds + HOLD_MARGIN
        grant = Grant()
        for _ in range(SLOT_TRIES):
            async with self._taking:  # one take at a time per lane: no pile-up of failing transactions
                # a scope found full a moment ago is still full: wait for its slot without asking the database
                grant = self._known_full(limits) or await self.store.acquire(limits, self.clock, hold)
                if grant.full:
                    self._remember(grant, limits)
            if not grant.wait or waited + grant.wait > self.cfg.max_wait_seconds:
                return grant
            await self._sleep(grant.wait)
            waited += grant.wait
        return grant

    def _known_full(self, limits: Sequence[Limit]) -> Grant | None:
        """A refusal without a database call when one of the scopes has no slot free until later."""
        now = self.clock()
        wait = max(((self._full.get(lim.scope, now) - now).total_seconds() for lim in limits), default=0.0)
        return Grant(wait=wait) if wait > 0 else None

    def _remember(self, grant: Grant, limits: Sequence[Limit]) -> None:
        now = self.clock()
        if len(self._full) > 1000:  # one entry per chat scope ever refused: forget the lapsed ones
            self._full = {scope: at for scope, at in self._full.items() if at > now}
        frees = self._full[grant.full] = now + timedelta(seconds=grant.wait)
        if grant.wait > self.cfg.max_wait_seconds and any(lim.lane and lim.scope == grant.full for lim in limits):
            # e.g. Feishu's 1000/min per app: every row claimed now would only be postponed again (two writes each)
            self.paused_until = frees

    def paused(self) -> bool:
        """Whether a lane-wide cap is full for longer than a send may wait: the lane then claims nothing."""
        return self.paused_until is not None and self.paused_until > self.clock()

    def answered(self, grant: Grant, row_id: int) -> None:
        """The send of `row_id` is over (delivered, refused, failed or never sent): settle its slots next flush."""
        late = timedelta(seconds=self.cfg.send_timeout_seconds) if row_id in self.unanswered else timedelta(0)
        self.unanswered.discard(row_id)
        if grant.slots:
            self.settles.append((grant, self.clock() + late))

    async def settle(self, platform: str) -> None:
        """Stamp the answered sends' slots; on failure keep them (held longer, never shorter: only capacity lost)."""
        if not self.settles:
            return
        batch, self.settles = self.settles, []
        try:
            await self.store.settle(batch)
        except Exception as exc:
            self.settles = batch + self.settles
            log.info("send slots not settled yet; retrying", extra={"platform": platform, "error": str(exc)[:200]})
