"""A lane's side of the shared send caps: take the slots a send counts against, settle them once it is answered.

The platform counts a send when it arrives, which is any moment between taking its slots and its answer (the
lane's loop, a token refresh, a local pause come between). So taken slots are held ahead while the send is in
flight (storage/repos/send_slots.py) and settled, in batches with the lane's marks, at the moment the send was
answered. A send that timed out may still reach the platform later (make prove's hanging Feishu took requests
20 s late), so its slots stay held for one more send timeout. The lane's target tasks start together, so
their takes are queued and made in one transaction (SlotStore.acquire_many), not one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.config import OutboxConfig
from storage.repos.send_slots import Grant, Limit, SlotStore

log = logging.getLogger("salesbot.sender")
SLOT_TRIES = 8
HOLD_MARGIN = 1.0  # seconds past the send timeout a taken slot stays held if its settle never comes (a crash)


class LaneSlots:
    """Take slots for a lane's concurrent sends in one transaction, remember answered sends, and settle their
    slots in one statement."""

    def __init__(self, store: SlotStore, clock: Callable[[], datetime], cfg: OutboxConfig,
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.store, self.clock, self.cfg, self._sleep = store, clock, cfg, sleep
        self.settles: list[tuple[Grant, datetime]] = []  # answered sends whose slots still hold ahead
        self.unanswered: set[int] = set()  # rows whose send timed out
        self._queued: list[tuple[Sequence[Limit], asyncio.Future[Grant]]] = []  # takes for the next transaction
        self._taker: asyncio.Task[None] | None = None
        self._full: dict[str, datetime] = {}  # scope -> when its next slot frees, as the last refused take said
        self.paused_until: datetime | None = None  # a lane-wide cap is full past max_wait: claim nothing till then

    async def take(self, limits: Sequence[Limit]) -> Grant:
        """Take a slot in every limit, waiting in line up to max_wait; a grant with `wait` means later."""
        waited, grant = 0.0, Grant()
        if not any(lim.count > 0 for lim in limits):
            return grant
        for _ in range(SLOT_TRIES):
            # a scope found full a moment ago is still full: wait for its slot without asking the database
            grant = self._known_full(limits) or await self._queue(limits)
            if grant.full:
                self._remember(grant, limits)
            if not grant.wait or waited + grant.wait > self.cfg.max_wait_seconds:
                return grant
            await self._sleep(grant.wait)
            waited += grant.wait
        return grant

    def _queue(self, limits: Sequence[Limit]) -> asyncio.Future[Grant]:
        """Join the lane's next take: the targets' tasks start together, so their takes share one transaction."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Grant] = loop.create_future()
        self._queued.append((limits, future))
        if self._taker is None:
            self._taker = loop.create_task(self._take_queued(), name="send-slots")
        return future

    async def _take_queued(self) -> None:
        """Take for everything queued, one transaction at a time (no pile-up of failing transactions)."""
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                # answered sends settle in the take's transaction: left to the lane's next flush, their slots would
                # read as held ahead, and a send refused meanwhile would be told to wait past them
                settles, self.settles = self.settles, []
                try:
                    grants = await self.store.acquire_many([limits for limits, _ in batch], self.clock,
                                                           self.cfg.send_timeout_seconds + HOLD_MARGIN, settles)
                except Exception as exc:  # e.g. the database restarting: each send's row is released
                    self.settles = settles + self.settles  # held longer, never shorter: only capacity lost
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), grant in zip(batch, grants, strict=True):
                    if not future.done():  # a cancelled send's slots stay held until the hold lapses
                        future.set_result(grant)
        finally:
            self._taker = None

    async def idle(self) -> None:
        """Wait for the take in progress, if any (shutdown: no transaction outlives the lane)."""
        if self._taker is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._taker)

    def _known_full(self, limits: Sequence[Limit]) -> Grant | None:
        """A refusal without a database call when one of the scopes has no slot free until later."""
        now = self.clock()
        wait = max(((self._full.get(lim.scope, now) - now).total_seconds() for lim in limits), default=0.0)
        return Grant(wait=wait) if wait > 0 else None

    def _remember(self, grant: Grant, limits: Sequence[Limit]) -> None:
        now = self.clock()
        if len(self._full) > 1000:  # one entry per chat scope ever refused: forget the lapsed ones
            self._full = {scope: at for scope, at in self._full.items() if at > now}
        frees = now + timedelta(seconds=grant.wait)
        known = self._full.get(grant.full)
        if known is None or known <= now or frees < known:
            # the scope's first slot to free: a send refused later in line waits longer, for a later slot
            self._full[grant.full] = frees
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
