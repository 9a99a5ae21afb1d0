"""The delivery half of a sender lane (bot/sendlane.py): send one claimed row and settle what became of it.

A row is sent only while the lane still holds its lease with one whole send left. A target over its cap
holds its rows until its window frees; a throttling answer postpones the row without counting an attempt;
a transient failure (or no answer within send_timeout) retries with exponential back-off up to
max_attempts, then dead-letters; a permanent refusal dead-letters at once. Each write names the claim token.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.core.stopping import within
from bot.platforms.quotas import limits_for
from storage.models import OutboxMessage
from storage.repos import outbox_claims

if TYPE_CHECKING:
    from bot.config import OutboxConfig
    from bot.sender import Sender
    from bot.sendslots import LaneSlots

log = logging.getLogger("salesbot.sender")
MAX_BACKOFF = timedelta(minutes=10)


class Delivery:
    """Sending and settling rows, mixed into Lane (which holds the claims, the slots and the clock)."""

    s: Sender
    cfg: OutboxConfig
    platform: str
    api: Any
    slots: LaneSlots
    sent: dict[int, tuple[str, int]]  # delivered, not yet marked: id -> (token, attempts)

    def now(self) -> datetime:
        """The sender's clock (Lane's)."""
        raise NotImplementedError

    def holds(self, row: OutboxMessage) -> bool:
        """Whether the row's lease is still ours with time left for one whole send (Lane's)."""
        raise NotImplementedError

    def _release(self, msg_id: int) -> None:
        """Forget a row this lane no longer holds (Lane's)."""
        raise NotImplementedError

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
            await within(self.api.send(row.target, row.payload), self.cfg.send_timeout_seconds)
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
