"""The sender: claims due outbox rows, rate-limits per target, retries, and dead-letters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from datetime import datetime, timedelta

from bot.clock import Clock, as_utc
from bot.config import OutboxConfig
from bot.errors import DeliveryError, TransientDeliveryError
from bot.metrics import Metrics
from storage.db import Database
from storage.models import OutboxMessage
from storage.repos import outbox

log = logging.getLogger("salesbot.sender")
WINDOW = timedelta(minutes=1)
MAX_BACKOFF = timedelta(minutes=10)


class RateLimiter:
    """Sliding one-minute window per (platform, target)."""

    def __init__(self) -> None:
        self._sent: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)

    def next_slot(self, key: tuple[str, str], limit: int | None, now: datetime) -> datetime | None:
        """Return when the next send to key is allowed, or None if allowed now."""
        if not limit:
            return None
        window = self._sent[key]
        while window and now - window[0] >= WINDOW:
            window.popleft()
        return window[0] + WINDOW if len(window) >= limit else None

    def record(self, key: tuple[str, str], now: datetime) -> None:
        """Note one send."""
        self._sent[key].append(now)


class Sender:
    """Deliver outbox rows through the platform APIs."""

    def __init__(self, db: Database, clock: Clock, apis: dict, cfg: OutboxConfig, metrics: Metrics) -> None:
        self.db, self.clock, self.apis, self.cfg, self.metrics = db, clock, apis, cfg, metrics
        self.limiter = RateLimiter()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def wake(self) -> None:
        """Tell the loop new rows are waiting."""
        self._wake.set()

    def start(self) -> None:
        """Run the loop in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop the loop; claimed rows are re-claimed by the next run after their lease."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("sender pass failed; retrying")
                sent = 0
            if not sent:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.cfg.poll_seconds)

    async def run_once(self, limit: int = 50) -> int:
        """Claim and deliver one batch; return how many rows were handled."""
        rows = await outbox.claim_due(self.db, self.clock.now(), limit)
        for row in rows:
            await self.deliver(row)
        return len(rows)

    async def deliver(self, row: OutboxMessage) -> None:
        """Send one claimed row and record the outcome."""
        now = self.clock.now()
        api = self.apis.get(row.platform)
        if api is None:
            await outbox.mark_dead(self.db, row.id, row.attempts, f"platform {row.platform!r} is not enabled")
            self.metrics.inc("salesbot_outbox_dead_total", "Messages dead-lettered", platform=row.platform)
            return
        key = (row.platform, row.target)
        limit = getattr(api, "per_minute", None) or self.cfg.per_target_per_minute
        slot = self.limiter.next_slot(key, limit, now)
        if slot is not None:
            await outbox.postpone(self.db, row.id, slot)
            return
        attempts = row.attempts + 1
        try:
            self.limiter.record(key, now)
            await api.send(row.target, row.payload)
        except TransientDeliveryError as exc:
            await self._retry_or_die(row, attempts, str(exc))
        except DeliveryError as exc:
            await self._dead(row, attempts, f"permanent: {exc}")
        except Exception as exc:  # an unexpected client bug must not kill the loop or lose the row
            log.exception("unexpected send failure", extra={"outbox_id": row.id})
            await self._retry_or_die(row, attempts, f"{type(exc).__name__}: {exc}")
        else:
            await outbox.mark_sent(self.db, row.id, self.clock.now(), attempts)
            self.metrics.inc("salesbot_outbox_sent_total", "Messages delivered", platform=row.platform)

    async def _retry_or_die(self, row: OutboxMessage, attempts: int, error: str) -> None:
        if attempts >= self.cfg.max_attempts:
            await self._dead(row, attempts, f"gave up after {attempts} attempts: {error}")
            return
        delay = min(timedelta(seconds=self.cfg.base_backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
        await outbox.mark_retry(self.db, row.id, as_utc(self.clock.now()) + delay, attempts, error)
        self.metrics.inc("salesbot_outbox_retries_total", "Delivery retries", platform=row.platform)

    async def _dead(self, row: OutboxMessage, attempts: int, reason: str) -> None:
        log.warning("outbox message dead-lettered", extra={"outbox_id": row.id, "reason": reason})
        await outbox.mark_dead(self.db, row.id, attempts, reason)
        self.metrics.inc("salesbot_outbox_dead_total", "Messages dead-lettered", platform=row.platform)
