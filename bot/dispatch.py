"""Dispatch: store an event in the inbox (the ack waits only for that), then route it in the background."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.events import Event
from bot.core.stopping import within
from bot.handling import RETRY_LATER, attempt
from bot.workers import WorkerPool
from storage.repos import inbox, outbox
from storage.repos.inbox_writer import DONE, PENDING, PROCESSING
from storage.repos.member_cache import MemberCache

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.dispatch")
WORKERS_SQLITE, WORKERS_PG = 1, 4  # SQLite writes one at a time: more workers only queue acks behind handler steps
HELD = 16  # rows a process holds at most (queued or being handled): the feeder claims half of it at a time


class Dispatcher:
    """The one path every event takes after its adapter: inbox, route, handler, outbox.

    The ack waits only for the inbox write. Handling runs on a fixed pool of workers (bot/workers.py) fed
    from the inbox; events no handler takes (group chatter not addressed to the bot, platform events we only
    archive) are stored as done in that same write and never reach a worker.
    """

    def __init__(self, rt: Runtime, workers: int | None = None, capacity: int | None = None) -> None:
        self.rt = rt
        size = workers or (WORKERS_PG if rt.db.dialect == "postgresql" else WORKERS_SQLITE)
        self.pool = WorkerPool(rt.db, rt.clock, self.process, size, capacity or max(size * 4, HELD), rt.acks)
        self.tasks: set[asyncio.Task] = set()  # other tracked background work (stream acks), drained too
        self._waiters: dict[int, asyncio.Future] = {}
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # tests inject one that does not wait

    async def ingest(self, event: Event) -> inbox.Stored:
        """Persist the event (the caller acks after this returns) and hand it to the workers once."""
        stored, status = await self._store(event)
        if status == PROCESSING and stored.new and stored.id is not None:
            self.pool.push(stored.id, event)
        return stored

    async def _store(self, event: Event) -> tuple[inbox.Stored, str]:
        """Write the inbox row: done (no handler takes it), claimed here, or pending (workers are full)."""
        data = event.to_dict()
        if not self.rt.routes.wanted(event):
            stored = await self.rt.inbox.put(event.platform, event.dedupe_key, event.kind, data, DONE)
            self._count(event, stored, "unhandled")
            return stored, DONE
        if self.pool.admit():
            stored = await self.rt.inbox.put(event.platform, event.dedupe_key, event.kind, data, PROCESSING)
            self._count(event, stored, "claimed")
            return stored, PROCESSING
        with self.pool.spilling():
            stored = await self.rt.inbox.put(event.platform, event.dedupe_key, event.kind, data, PENDING)
        self._count(event, stored, "queued")
        return stored, PENDING

    async def ingest_and_wait(self, event: Event, timeout: float,
                              choose: Callable[[list[dict]], list[int]] = outbox.first_only,
                              ) -> tuple[inbox.Stored, list[dict]]:
        """Ingest, then wait until `timeout` (counted from the call) for replies to answer inline.

        `choose` picks which replies the platform's HTTP answer can carry; only those are marked sent.
        Every other reply, and any reply not ready in time, goes out through the sender. Never both.
        The event is durable before this returns, even when that takes longer than `timeout`.
        A duplicate, an event no handler takes, or one stored in a backlog is answered at once.
        """
        stored, keys = await self._ingest_waiting(event, timeout, backlog=False)
        if keys is None:
            return stored, []
        return stored, await outbox.take_inline(self.rt.db, keys, self.rt.clock.now(), choose)

    async def ingest_and_handle(self, event: Event, timeout: float) -> tuple[inbox.Stored, bool]:
        """Ingest, then wait until `timeout` (counted from the call) for this process to finish handling it.

        A new event stored in a backlog is waited for too (this process's feeder claims it in order). True once
        its handling here finished (effects committed, or the failure recorded); False for a duplicate, an event
        another replica claimed, or one not done in time. Either way the event is durable when this returns.
        """
        stored, keys = await self._ingest_waiting(event, timeout, backlog=True)
        return stored, keys is not None

    async def _ingest_waiting(self, event: Event, timeout: float,
                              backlog: bool) -> tuple[inbox.Stored, list[str] | None]:
        """Store the event and wait for its handling by this process; None when it is not handled in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        stored, status = await self._store(event)
        if not stored.new or stored.id is None or status == DONE or (status == PENDING and not backlog):
            return stored, None
        row = stored.id
        waiter = self._waiters[row] = loop.create_future()
        if status == PROCESSING:
            self.pool.push(row, event, awaited=True)
        try:
            with self.rt.acks.not_acking():
                return stored, await within(asyncio.shield(waiter), max(deadline - loop.time(), 0))
        except TimeoutError:
            return stored, None
        finally:
            self._waiters.pop(row, None)

    def _count(self, event: Event, stored: inbox.Stored, how: str) -> None:
        m = self.rt.metrics
        m.inc("salesbot_events_received_total", "Inbound events", platform=event.platform)
        if not stored.new:
            m.inc("salesbot_events_deduplicated_total", "Duplicate inbound events", platform=event.platform)
        else:
            m.inc("salesbot_events_stored_total", "New inbound events by how they were stored: claimed by a "
                  "worker, queued in the inbox (workers full) or unhandled (no handler takes them)", how=how)

    def _resolve(self, inbox_id: int, keys: list[str]) -> None:
        waiter = self._waiters.get(inbox_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(keys)

    def spawn(self, inbox_id: int, event: Event) -> None:
        """Hand an event already claimed in the inbox to the workers."""
        self.pool.push(inbox_id, event)

    async def drain(self) -> None:
        """Wait until every queued, spilled and tracked handler has finished (shutdown, tests)."""
        while self.pool.busy() or self.tasks:
            await self.pool.drain()
            if self.tasks:
                await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Drain, then stop the workers."""
        await self.drain()
        await self.pool.stop()

    async def replay_unfinished(self) -> int:
        """Claim events a crash left unfinished, and any waiting ones, for the workers; return how many."""
        self.pool.start()
        count = await self.pool.sweep()
        if count:
            log.info("replaying unfinished inbox events", extra={"count": count})
        return count

    async def sweep(self) -> int:
        """Run the lease-expiry sweep now (the pool also runs it every quarter lease)."""
        return await self.pool.sweep()

    async def process(self, inbox_id: int, event: Event) -> None:
        """Route one event; effects, replies and the done mark commit in one transaction."""
        started = time.perf_counter()
        outcome, keys = await attempt(self.rt, inbox_id, event, self.sleep)
        if outcome == "retried":
            self.pool.wake_in(RETRY_LATER.total_seconds())
        self._resolve(inbox_id, keys)
        self.rt.metrics.observe(time.perf_counter() - started, platform=event.platform, kind=event.kind)
        self.rt.metrics.inc("salesbot_events_handled_total", "Handled events", platform=event.platform,
                            outcome=outcome)
        self.rt.sender_wake()


async def resolve_member(session, event: Event, cache: MemberCache | None = None):
    """Find the member behind the event's actor (through the cache when given)."""
    if not event.actor:
        return None
    return await (cache or _UNCACHED).get(session, event.platform, event.actor)


_UNCACHED = MemberCache(ttl=0)
