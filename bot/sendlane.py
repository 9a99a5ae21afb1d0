"""One platform's lane of the sender: claims, parallel sends across targets, fenced and batched marks.

Each lane claims a few rows per target under a fresh claim token and a short lease, sends different
targets in parallel (one send in flight per target, so a chat sees its messages in order), renews the
lease while it works, and marks delivered rows in batches, settling their send slots with them
(bot/sendslots.py). A row is sent only while its lease has at least `send_timeout` left, and every mark
names the claim token, so a replica whose lease lapsed (a long pause, a lost database) neither sends nor
marks rows another replica has taken over. A platform that hangs holds up only its own lane. Sending one row
and settling its outcome (retry, postpone, dead-letter) is bot/senddelivery.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.core.clock import as_utc
from bot.core.stopping import within
from bot.senddelivery import Delivery
from bot.sendslots import LaneSlots
from storage.models import OutboxMessage
from storage.repos import outbox_claims

if TYPE_CHECKING:
    from bot.sender import Sender

log = logging.getLogger("salesbot.sender")


class Lane(Delivery):
    """Send one platform's rows; `run` loops forever, `run_once` does one claim-send-mark pass (tests)."""

    def __init__(self, sender: Sender, platform: str, api: Any,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.s, self.platform, self.api = sender, platform, api
        self.cfg = sender.cfg
        self.lease = timedelta(seconds=self.cfg.lease_seconds)
        self.budget = timedelta(seconds=self.cfg.send_timeout_seconds)
        self.inflight: dict[str, asyncio.Task] = {}
        self.rows: dict[int, str] = {}  # held row id -> claim token
        self.leases: dict[str, datetime] = {}  # claim token -> lease end as last confirmed
        self.sent: dict[int, tuple[str, int]] = {}  # delivered, not yet marked: id -> (token, attempts)
        self.slots = LaneSlots(sender.slots, self.rate_now, self.cfg, sleep)
        self.wake = asyncio.Event()
        self.halted = False
        self._renewed = datetime.min.replace(tzinfo=UTC)
        self._flushed = -math.inf  # loop time of the last flush: marks and settles go in one batch per flush_seconds

    def now(self) -> datetime:
        """The sender's clock."""
        return as_utc(self.s.clock.now())

    def rate_now(self) -> datetime:
        """The clock the platforms' rate windows run on."""
        return as_utc(self.s.rate_clock.now())

    async def pump(self) -> int:
        """Claim what free capacity allows and start one task per target; return rows claimed."""
        free = self.cfg.concurrency - len(self.inflight)
        if free <= 0 or (self.inflight and free < self.cfg.concurrency // 2) or self.slots.paused():
            return 0  # claim for half the lane at a time, not a row each time a send finishes
        now = self.now()
        rows = await outbox_claims.claim_due(self.s.db, now, free * self.cfg.claim_per_target, self.lease,
                                      [self.platform], self.cfg.claim_per_target, set(self.inflight))
        by_target: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            self.rows[row.id] = row.claim_token
            self.leases[row.claim_token] = now + self.lease
            by_target.setdefault(row.target, []).append(row)
        for target, batch in by_target.items():
            task = asyncio.get_running_loop().create_task(self._target(batch), name=f"send-{self.platform}")
            self.inflight[target] = task
            task.add_done_callback(partial(self._target_done, target))
        return len(rows)

    def _target_done(self, target: str, _task: asyncio.Task[Any]) -> None:
        """A target's sends finished: free its place and look for more work."""
        self.inflight.pop(target, None)
        self.wake.set()

    async def run_once(self) -> int:
        """Claim, send everything claimed, mark; return rows claimed."""
        claimed = await self.pump()
        if self.inflight:
            await asyncio.gather(*self.inflight.values(), return_exceptions=True)
        await self.flush()
        return claimed

    def halt(self) -> None:
        """Make `run` return after its current pass: a cancel could land inside a database call, and on SQLite a
        connection dropped mid-statement can keep the write lock until it is collected."""
        self.halted = True
        self.wake.set()

    async def run(self) -> None:
        """Loop until halted: keep the lane full, renew leases, flush marks."""
        loop = asyncio.get_running_loop()
        while not self.halted:
            self.wake.clear()  # before the pass: a target that finishes during it wakes the next one at once
            claimed = 0
            try:
                await self.s.gate.wait()
                claimed = await self.pump()
                if loop.time() - self._flushed >= self.cfg.flush_seconds:  # a pass per wake-up, a flush per interval
                    self._flushed = loop.time()
                    await self.flush()
                if self.now() - self._renewed >= self.lease / 3:
                    await self.renew()
            except Exception:
                log.exception("sender lane pass failed; retrying", extra={"platform": self.platform})
            if self.halted or (claimed and len(self.inflight) < self.cfg.concurrency):
                continue
            with contextlib.suppress(TimeoutError):
                await within(self.wake.wait(), self._idle_for(loop.time()))

    def _idle_for(self, now: float) -> float:
        """Seconds to wait for a wake-up: till the next flush while sends are in flight or wait to be marked."""
        if self.inflight or self.sent or self.slots.settles:
            return max(self._flushed + self.cfg.flush_seconds - now, 0.0)
        return self.cfg.poll_seconds

    async def stop(self) -> None:
        """Let in-flight sends finish briefly (a hung one is cancelled), then mark what was delivered."""
        if self.inflight:
            tasks = set(self.inflight.values())
            _done, hung = await asyncio.wait(tasks, timeout=min(self.cfg.send_timeout_seconds, 2.0))
            for task in hung:  # its row stays claimed and is taken over after the lease
                task.cancel()
        await self.slots.idle()
        with contextlib.suppress(Exception):
            await self.flush()

    async def renew(self) -> None:
        """Extend the lease of every row held; forget rows another replica has taken over."""
        now = self.now()
        self._renewed = now
        held = await outbox_claims.renew(self.s.db, set(self.rows.values()), now + self.lease)
        lost = set(self.rows) - held
        if lost:
            self.s.count("salesbot_outbox_fenced_total", "Claims lost to a lapsed lease", len(lost), self.platform)
        self.rows = {i: t for i, t in self.rows.items() if i in held}
        self.leases = {t: now + self.lease for t in set(self.rows.values())}

    async def flush(self) -> None:
        """Mark delivered rows sent in one statement (fenced by their claim tokens); settle answered sends' slots."""
        try:
            await self._mark()
        finally:
            await self.slots.settle(self.platform)

    async def _mark(self) -> None:
        if not self.sent:
            return
        batch, self.sent = self.sent, {}
        try:
            marked = await outbox_claims.mark_sent_many(self.s.db, batch, self.now())
        except Exception:
            self.sent.update(batch)  # keep them; the lease renewal keeps them ours meanwhile
            raise
        for msg_id in batch:
            self._release(msg_id)
        if marked < len(batch):
            log.warning("delivered rows lost their claim before the mark", extra={"rows": len(batch) - marked})
        self.s.count("salesbot_outbox_sent_total", "Messages delivered", marked, self.platform)

    def _release(self, msg_id: int) -> None:
        token = self.rows.pop(msg_id, None)
        if token and token not in self.rows.values():
            self.leases.pop(token, None)

    def holds(self, row: OutboxMessage) -> bool:
        """Whether the row's lease is still ours with time left for one whole send."""
        until = self.leases.get(row.claim_token)
        return row.id in self.rows and until is not None and until - self.now() >= self.budget
