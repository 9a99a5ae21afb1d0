"""A fixed pool of workers handling inbox rows, so a backlog waits in the database, not in memory or in acks.

While the workers keep up, an arriving event is stored already claimed (`processing`) and handed to them in
memory. Once `capacity` rows are held, new events are stored `pending` ("spilled") and the feeder claims
them from the inbox in batches, oldest first, as workers free up — so the order is kept and memory stays
bounded. The sweeper renews the leases of held rows and, every `sweep_every` seconds, claims rows whose
claimant died (lease expired): a crash mid-handling costs at most one lease, never a restart. While a callback is
being answered, workers start no new event (bot/ackgate.py) — except one a callback is waiting for, to answer
with its reply (a WeCom robot message, a card click): handling it is that callback's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

from bot.ackgate import AckGate
from bot.core.clock import Clock
from bot.core.events import Event
from bot.core.stopping import cancel_and_wait
from storage.db import Database
from storage.repos import inbox

log = logging.getLogger("salesbot.workers")
Handle = Callable[[int, Event], Awaitable[None]]


class WorkerPool:
    """`size` workers, at most `capacity` rows held (queued or being handled) by this process."""

    def __init__(self, db: Database, clock: Clock, handle: Handle, size: int, capacity: int,
                 acks: AckGate | None = None, sweep_every: float = inbox.LEASE.total_seconds() / 4) -> None:
        self.db, self.clock, self.handle = db, clock, handle
        self.size, self.capacity, self.sweep_every = size, capacity, sweep_every
        self.queue: asyncio.Queue[tuple[int, Event, bool]] = asyncio.Queue()  # row, event, a callback awaits it
        self.held: set[int] = set()
        self.spilled = False  # some events wait in the inbox as pending rows
        self._spills = 0  # spilled stores started (a generation number)
        self._spilling = 0  # spilled stores not yet committed
        self._feed = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._chats: dict[tuple[str, str], list] = {}  # chat -> [lock, users]: one chat's events run in order
        self.acks = acks or AckGate()  # workers start no new event while a callback is being answered

    def start(self) -> None:
        """Start the workers, the feeder and the sweeper on the running loop (idempotent)."""
        if self._tasks:
            return
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._worker(), name=f"inbox-worker-{i}") for i in range(self.size)]
        self._tasks += [loop.create_task(self._feeder(), name="inbox-feeder"),
                        loop.create_task(self._sweeper(), name="inbox-sweeper")]

    async def stop(self) -> None:
        """Cancel the tasks (call after drain: rows still held are replayed by the next claimant)."""
        await cancel_and_wait(self._tasks)
        self._tasks = []

    def admit(self) -> bool:
        """Return whether a new event may be claimed and handed over in memory; else store it pending."""
        if not self.spilled and len(self.held) < self.capacity:
            return True
        self.spilled = True
        return False

    @contextlib.contextmanager
    def spilling(self) -> Iterator[None]:
        """Bracket the store of a pending row, so the feeder knows when the inbox has none left to claim."""
        self.start()  # the feeder must run to claim what is stored pending
        self._spills += 1
        self._spilling += 1
        try:
            yield
        finally:
            self._spilling -= 1
            if len(self.held) < self.capacity:  # else a worker that finishes wakes the feeder
                self._feed.set()

    def wake_in(self, seconds: float) -> None:
        """Look for claimable rows again after `seconds` (a row handed back becomes claimable then)."""
        asyncio.get_running_loop().call_later(seconds, self._wake)

    def _wake(self) -> None:
        self.spilled = True  # claimed like spilled rows, batch by batch
        self._feed.set()

    def push(self, inbox_id: int, event: Event, awaited: bool = False) -> None:
        """Hand a row claimed by this process to the workers; `awaited`: a callback waits to answer with its reply."""
        self.start()
        self.held.add(inbox_id)
        self.queue.put_nowait((inbox_id, event, awaited))

    def busy(self) -> bool:
        """Return whether anything is held, queued or waiting in the inbox for this process."""
        return bool(self.held or self.spilled or self._spilling or self.queue.qsize())

    async def drain(self) -> None:
        """Wait until everything held and everything spilled has been handled."""
        if self.busy():
            self.start()
        while self.busy():
            self._feed.set()
            await self.queue.join()
            if self.busy():
                await asyncio.sleep(0.002)  # the feeder is claiming or a spilled store is committing

    async def _worker(self) -> None:
        while True:
            inbox_id, event, awaited = await self.queue.get()
            try:
                if not awaited:  # handling an awaited event is its callback's answer: no wait
                    await self.acks.wait()
                async with self._in_order(event):
                    await self.handle(inbox_id, event)
            except Exception:  # the handler funnels its own errors; this guards the worker itself
                log.exception("inbox worker survived an error")
            finally:
                self.held.discard(inbox_id)
                self.queue.task_done()
                if self.spilled:
                    self._feed.set()

    @contextlib.asynccontextmanager
    async def _in_order(self, event: Event):
        """Hold the event's chat: two messages in one chat are handled one after the other, as sent."""
        key = (event.platform, event.chat.chat_id if event.chat else event.actor or "")
        entry = self._chats.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._chats[key]

    async def _feeder(self) -> None:
        while True:
            await self._feed.wait()
            self._feed.clear()
            try:
                await self.feed()
            except Exception:
                log.exception("inbox feeder could not claim; retrying in 1 s")
                await asyncio.sleep(1)
                self._feed.set()

    async def feed(self) -> int:
        """Claim waiting rows in batches while there is room; clear `spilled` once the inbox has none left."""
        claimed = 0
        while self.spilled and (room := self.capacity - len(self.held)) > 0:
            if room < self.capacity // 2 and self.queue.qsize():
                break  # claim in batches of half the capacity, or at once when the workers have nothing queued
            spills, spilling = self._spills, self._spilling
            await self.acks.wait()
            rows = await inbox.claim_batch(self.db, self.clock.now(), room)
            for inbox_id, data in rows:
                self.push(inbox_id, Event.from_dict(data))
            claimed += len(rows)
            if len(rows) < room and spilling == 0 and spills == self._spills:
                self.spilled = False  # nothing was stored pending since before the claim looked
            if not rows:
                break
        return claimed

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_every)
            try:
                await self.sweep()
            except Exception:
                log.exception("inbox sweeper failed; retrying at the next sweep")

    async def sweep(self) -> int:
        """Renew the leases of rows held here, fail rows out of attempts, then claim abandoned and waiting rows."""
        now = self.clock.now()
        await inbox.renew(self.db, sorted(self.held), now + inbox.LEASE)
        if failed := await inbox.give_up(self.db, now):
            log.error("inbox rows failed after their last attempt lapsed", extra={"rows": failed})
        self.spilled = True  # abandoned rows are claimed like spilled ones, batch by batch
        return await self.feed()
