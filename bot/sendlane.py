"""One platform's lane of the sender: claims, parallel sends across targets, fenced and batched marks.

Each lane claims a few rows per target under a fresh claim token and a short lease, sends different
targets in parallel (one send in flight per target, so a chat sees its messages in order), renews the
lease while it works, and marks delivered rows in batches, settling their send slots with them
(bot/sendslots.py). A row is sent only while its lease has at least `send_timeout` left, and every mark
names the claim token, so a replica whose lease lapsed (a long pause, a lost database) neither sends nor
marks rows another replica has taken over. A platform that hangs holds up only its own lane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.core.clock import as_utc
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.platforms.quotas import limits_for
from bot.sendslots import LaneSlots
from storage.models import OutboxMessage
from storage.repos import outbox_claims

if TYPE_CHECKING:
    from bot.sender import Sender

log = logging.getLogger("salesbot.sender")
MAX_BACKOFF = timedelta(minutes=10)


class Lane:
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

    def now(self) -> datetime:
        """The sender's clock."""
        return as_utc(self.s.clock.now())

    def rate_now(self) -> datetime:
        """The clock the platforms' rate windows run on."""
        return as_utc(self.s.rate_clock.now())

    async def pump(self) -> int:
        """Claim what free capacity allows and start one task per target; return rows claimed."""
        free = self.cfg.concurrency - len(self.inflight)
        if free <= 0:
            return 0
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
        while not self.halted:
            claimed = 0
            try:
                claimed = await self.pump()
                await self.flush()
                if self.now() - self._renewed >= self.lease / 3:
                    await self.renew()
            except Exception:
                log.exception("sender lane pass failed; retrying", extra={"platform": self.platform})
            if self.halted or (claimed and len(self.inflight) < self.cfg.concurrency):
                continue
            self.wake.clear()
            busy = self.inflight or self.sent or self.slots.settles
            wait = self.cfg.flush_seconds if busy else self.cfg.poll_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), wait)

    async def stop(self) -> None:
        """Let in-flight sends finish briefly (a hung one is cancelled), then mark what was delivered."""
        if self.inflight:
            tasks = set(self.inflight.values())
            _done, hung = await asyncio.wait(tasks, timeout=min(self.cfg.send_timeout_seconds, 2.0))
            for task in hung:  # its row stays claimed and is taken over after the lease
                task.cancel()
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

    async def _target(self, rows: list[OutboxMessage]) -> None:
        for i, row in enumerate(rows):
            try:
                later = await self._deliver(row)
            except Exception:  # e.g. the database restarting: let the lease lapse so any sender retries it
                log.exception("sender failed on a row; it will be claimed again", extra={"outbox_id": row.id})
                self._release(row.id)
                later = None
            if later is not None:
                for rest in rows[i + 1:]:
                    await outbox_claims.postpone(self.s.db, rest.id, rest.claim_token, later)
                    self._release(rest.id)
                return

    async def _deliver(self, row: OutboxMessage) -> datetime | None:
        """Send one row under its caps; return a time to hold the target's other rows until, or None."""
        if not self.holds(row):
            self._release(row.id)
            return None
        grant = await self.slots.take(limits_for(self.platform, self.api, row.target, row.payload,
                                                 self.cfg.per_target_per_minute))
        if grant.wait:
            later = self.now() + timedelta(seconds=grant.wait)
            await outbox_claims.postpone(self.s.db, row.id, row.claim_token, later)
            await outbox_claims.postpone_target(self.s.db, self.platform, row.target, later)
            self._release(row.id)
            return later
        try:
            if not self.holds(row):  # the wait ate the lease: leave the row to whoever holds it now
                self._release(row.id)
                return None
            return await self._send(row)
        finally:
            self.slots.answered(grant, row.id)

    async def _send(self, row: OutboxMessage) -> datetime | None:
        attempts = row.attempts + 1
        try:
            await asyncio.wait_for(self.api.send(row.target, row.payload), self.cfg.send_timeout_seconds)
        except Throttled as exc:
            later = self.now() + timedelta(seconds=max(exc.retry_after, 0.5))
            await outbox_claims.postpone(self.s.db, row.id, row.claim_token, later, f"throttled: {exc}")
            self._release(row.id)
            self.s.count("salesbot_outbox_throttled_total", "Throttling answers (retried)", 1, self.platform)
            return later
        except (TransientDeliveryError, TimeoutError) as exc:
            if isinstance(exc, TimeoutError) or isinstance(exc.__cause__, TimeoutError):
                self.slots.unanswered.add(row.id)  # it may still reach the platform
            await self._retry_or_die(row, attempts, str(exc) or f"no answer in {self.cfg.send_timeout_seconds:g} s")
        except DeliveryError as exc:
            await self._dead(row, attempts, f"permanent: {exc}")
        except Exception as exc:  # an unexpected client bug must not kill the lane or lose the row
            log.exception("unexpected send failure", extra={"outbox_id": row.id})
            await self._retry_or_die(row, attempts, f"{type(exc).__name__}: {exc}")
        else:
            self.sent[row.id] = (row.claim_token, attempts)
        return None

    async def _retry_or_die(self, row: OutboxMessage, attempts: int, error: str) -> None:
        if attempts >= self.cfg.max_attempts:
            await self._dead(row, attempts, f"gave up after {attempts} attempts: {error}")
            return
        delay = min(timedelta(seconds=self.cfg.base_backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
        await outbox_claims.mark_retry(self.s.db, row.id, row.claim_token, self.now() + delay, attempts, error)
        self._release(row.id)
        self.s.count("salesbot_outbox_retries_total", "Delivery retries", 1, self.platform)

    async def _dead(self, row: OutboxMessage, attempts: int, reason: str) -> None:
        log.warning("outbox message dead-lettered", extra={"outbox_id": row.id, "reason": reason[:300]})
        await outbox_claims.mark_dead(self.s.db, row.id, row.claim_token, attempts, reason)
        self._release(row.id)
        self.s.count("salesbot_outbox_dead_total", "Messages dead-lettered", 1, self.platform)
