"""One platform's lane of the sender: claims, parallel sends across targets, fenced and batched marks.

Each lane claims a few rows per target under a fresh claim token and a short lease, sends different
targets in parallel (one send in flight per target, so a chat sees its messages in order), renews the
lease while it works, and marks delivered rows in batches. A row is sent only while its lease has at
least `send_timeout` left, and every mark names the claim token, so a replica whose lease lapsed (a
long pause, a lost database) neither sends nor marks rows another replica has taken over. A platform
that hangs holds up only its own lane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import as_utc
from bot.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.platforms.quotas import limits_for
from storage.models import OutboxMessage
from storage.repos import outbox
from storage.repos.send_slots import Key, Limit

if TYPE_CHECKING:
    from bot.sender import Sender

log = logging.getLogger("salesbot.sender")
MAX_BACKOFF = timedelta(minutes=10)
SLOT_TRIES = 8
SLOT_BATCH = 32  # sends whose slots one transaction takes at most
# Slots are taken stamped HOLD seconds ahead (storage/repos/send_slots.py), which the send must start before;
# then they are re-stamped with the real start. A send that could not start in time (the event loop stalled
# that long) takes fresh slots: starting late could land in the next window of a slot's previous send.
HOLD = 0.3
SEND_SLACK = timedelta(seconds=0.005)
LATE_RETRY = 0.05  # seconds to come back after slots kept arriving too late to use
NAP = 0.1  # longest sleep between two looks for a free slot
Grant = tuple[list[Key], datetime]  # the slots taken for one send and the stamp they carry


class Lane:
    """Send one platform's rows; `run` loops forever, `run_once` does one claim-send-mark pass (tests)."""

    def __init__(self, sender: Sender, platform: str, api: Any,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.s, self.platform, self.api, self._sleep = sender, platform, api, sleep
        self.cfg = sender.cfg
        self.lease = timedelta(seconds=self.cfg.lease_seconds)
        self.budget = timedelta(seconds=self.cfg.send_timeout_seconds)
        self.inflight: dict[str, asyncio.Task] = {}
        self.rows: dict[int, str] = {}  # held row id -> claim token
        self.leases: dict[str, datetime] = {}  # claim token -> lease end as last confirmed
        self.sent: dict[int, tuple[str, int]] = {}  # delivered, not yet marked: id -> (token, attempts)
        self.wake = asyncio.Event()
        self._asks: list[tuple[list[Limit], asyncio.Future[tuple[float, Grant]]]] = []  # waiting for slots
        self._taker: asyncio.Task[None] | None = None
        self.restamps: list[tuple[list[Key], datetime, datetime]] = []  # (slots, stamp taken, send started)
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
        await self.s.yield_to_acks()
        now = self.now()
        rows = await outbox.claim_due(self.s.db, now, free * self.cfg.claim_per_target, self.lease,
                                      [self.platform], self.cfg.claim_per_target, set(self.inflight))
        by_target: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            self.rows[row.id] = row.claim_token
            self.leases[row.claim_token] = now + self.lease
            by_target.setdefault(row.target, []).append(row)
        for target, batch in by_target.items():
            task = asyncio.get_running_loop().create_task(self._target(batch), name=f"send-{self.platform}")
            self.inflight[target] = task
            task.add_done_callback(lambda _t, key=target: (self.inflight.pop(key, None), self.wake.set()))
        return len(rows)

    async def run_once(self) -> int:
        """Claim, send everything claimed, mark; return rows claimed."""
        claimed = await self.pump()
        if self.inflight:
            await asyncio.gather(*self.inflight.values(), return_exceptions=True)
        await self.flush()
        return claimed

    async def run(self) -> None:
        """Loop until cancelled: keep the lane full, renew leases, flush marks."""
        while True:
            claimed = 0
            try:
                claimed = await self.pump()
                await self.flush()
                if self.now() - self._renewed >= self.lease / 3:
                    await self.renew()
            except Exception:
                log.exception("sender lane pass failed; retrying", extra={"platform": self.platform})
            if claimed and len(self.inflight) < self.cfg.concurrency:
                continue
            self.wake.clear()
            wait = self.cfg.flush_seconds if (self.inflight or self.sent) else self.cfg.poll_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), wait)

    async def stop(self) -> None:
        """Let in-flight sends finish briefly (a hung one is cancelled), then mark what was delivered."""
        if self.inflight:
            tasks = set(self.inflight.values())
            _done, hung = await asyncio.wait(tasks, timeout=min(self.cfg.send_timeout_seconds, 2.0))
            for task in hung:  # its row stays claimed and is taken over after the lease
                task.cancel()
        if self._taker is not None:
            self._taker.cancel()
        with contextlib.suppress(Exception):
            await self.flush()

    async def renew(self) -> None:
        """Extend the lease of every row held; forget rows another replica has taken over."""
        now = self.now()
        self._renewed = now
        held = await outbox.renew(self.s.db, set(self.rows.values()), now + self.lease)
        lost = set(self.rows) - held
        if lost:
            self.s.count("salesbot_outbox_fenced_total", "Claims lost to a lapsed lease", len(lost), self.platform)
        self.rows = {i: t for i, t in self.rows.items() if i in held}
        self.leases = {t: now + self.lease for t in set(self.rows.values())}

    async def flush(self) -> None:
        """Mark delivered rows sent in one statement (fenced by their claim tokens); re-stamp their slots."""
        if self.restamps or self.sent:
            await self.s.yield_to_acks()
        if self.restamps:
            restamps, self.restamps = self.restamps, []
            try:
                await self.s.slots.restamp(restamps)
            except Exception:  # the slots keep their later stamps: only capacity is lost, never a cap
                log.warning("send slots kept their stamps", extra={"platform": self.platform}, exc_info=True)
        if not self.sent:
            return
        batch, self.sent = self.sent, {}
        try:
            marked = await outbox.mark_sent_many(self.s.db, batch, self.now())
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
                    await outbox.postpone(self.s.db, rest.id, rest.claim_token, later)
                    self._release(rest.id)
                return

    async def _deliver(self, row: OutboxMessage) -> datetime | None:
        """Send one row under its caps; return a time to hold the target's other rows until, or None."""
        if not self.holds(row):
            self._release(row.id)
            return None
        wait, grant = await self._slot(row)
        if wait:
            later = self.now() + timedelta(seconds=wait)
            await outbox.postpone(self.s.db, row.id, row.claim_token, later)
            await outbox.postpone_target(self.s.db, self.platform, row.target, later)
            self._release(row.id)
            return later
        if not self.holds(row):  # the wait ate the lease: leave the row to whoever holds it now
            self._release(row.id)
            return None
        return await self._send(row, grant)

    async def _slot(self, row: OutboxMessage) -> tuple[float, Grant | None]:
        """Take the row's slots: (0.0, its grant), or (seconds to wait, None) when they are not free soon."""
        limits = limits_for(self.platform, self.api, row.target, row.payload, self.cfg.per_target_per_minute)
        if not limits:
            return 0.0, None
        waited, late = 0.0, 0
        while True:  # wait in line up to max_wait; longer waits go back to the outbox
            wait, grant = await self._ask(limits)
            if not wait and self.rate_now() <= grant[1] + SEND_SLACK:
                return 0.0, grant
            if not wait:  # its stamp passed before the send could start (a stalled loop): that slot stays spent
                self.s.count("salesbot_outbox_slot_late_total", "Send slots taken too late to use", 1, self.platform)
                late += 1
                if late < SLOT_TRIES:
                    continue
                wait = LATE_RETRY
            if waited + wait > self.cfg.max_wait_seconds or late >= SLOT_TRIES:
                return wait, None
            nap = min(wait, NAP)  # look again soon: waits count slots still stamped ahead, freed by re-stamping
            await self._sleep(nap)
            waited += nap

    async def _ask(self, limits: list[Limit]) -> tuple[float, Grant]:
        """Queue for the lane's next slot batch: one transaction takes the slots of every send waiting."""
        future: asyncio.Future[tuple[float, Grant]] = asyncio.get_running_loop().create_future()
        self._asks.append((limits, future))
        if self._taker is None or self._taker.done():
            self._taker = asyncio.get_running_loop().create_task(self._take_asks(), name=f"slots-{self.platform}")
        return await future

    async def _take_asks(self) -> None:
        """One take at a time per lane (no pile-up of failing transactions), each for every send waiting."""
        await asyncio.sleep(0)  # the sends started in the same pass queue up first
        while self._asks:
            await self.s.yield_to_acks()
            asks, self._asks = self._asks[:SLOT_BATCH], self._asks[SLOT_BATCH:]
            try:
                taken = await self.s.slots.acquire_many([limits for limits, _ in asks], self.rate_now, HOLD)
            except Exception as exc:  # each send handles it as it handled its own failed take
                for _, future in asks:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), wait, keys in zip(asks, taken.waits, taken.slots, strict=True):
                if not future.done():  # a send cancelled meanwhile (shutdown) leaves its slot unused
                    future.set_result((wait, (keys, taken.stamp)))

    async def _send(self, row: OutboxMessage, grant: Grant | None) -> datetime | None:
        attempts = row.attempts + 1
        if grant is not None and grant[0]:  # its slots move back to now once the batch of marks is written
            self.restamps.append((grant[0], grant[1], self.rate_now()))
        try:
            async with asyncio.timeout(self.cfg.send_timeout_seconds):  # in this task: no hop before it starts
                await self.api.send(row.target, row.payload)
        except Throttled as exc:
            later = self.now() + timedelta(seconds=max(exc.retry_after, 0.5))
            await outbox.postpone(self.s.db, row.id, row.claim_token, later, f"throttled: {exc}")
            self._release(row.id)
            self.s.count("salesbot_outbox_throttled_total", "Throttling answers (retried)", 1, self.platform)
            return later
        except (TransientDeliveryError, TimeoutError) as exc:
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
        await outbox.mark_retry(self.s.db, row.id, row.claim_token, self.now() + delay, attempts, error)
        self._release(row.id)
        self.s.count("salesbot_outbox_retries_total", "Delivery retries", 1, self.platform)

    async def _dead(self, row: OutboxMessage, attempts: int, reason: str) -> None:
        log.warning("outbox message dead-lettered", extra={"outbox_id": row.id, "reason": reason[:300]})
        await outbox.mark_dead(self.s.db, row.id, row.claim_token, attempts, reason)
        self._release(row.id)
        self.s.count("salesbot_outbox_dead_total", "Messages dead-lettered", 1, self.platform)
