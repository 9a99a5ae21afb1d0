"""Long-lived platform connections (DingTalk Stream, Feishu long connection): who holds them, are they up.

A platform splits events at random between every connection opened with the same app credentials, so
exactly one replica per app may hold the connection. `Held` takes a database lease named after the app
and runs the connection only while it holds it; it renews the lease every third of its length, and when
the holder dies (kill -9, lost host) the lease lapses and another replica opens the connection; `HeldClient`
builds the platform's client when the lease is taken and stops it when it is lost. `Board`
keeps each connection's state for `/readyz` and `/metrics`: standby (another replica holds it),
connecting, up, down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.core.clock import Clock
from bot.core.stopping import cancel_and_wait
from bot.platforms.tokens import REPLICA
from storage.db import Database
from storage.repos import leases

log = logging.getLogger("salesbot.connections")


@dataclass
class Link:
    """One connection's state as this replica sees it."""

    state: str
    since: datetime
    frames: int = 0
    last_frame: datetime | None = None
    connects: int = 0


class Board:
    """The states of this replica's long connections."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.links: dict[str, Link] = {}

    def mark(self, name: str, state: str) -> None:
        """Record a state change (the time is kept only when the state really changes)."""
        link = self.links.get(name)
        if link is None:
            self.links[name] = Link(state, self.clock.now())
        elif link.state != state:
            link.state, link.since = state, self.clock.now()
        if state == "up":
            self.links[name].connects += 1

    def frame(self, name: str) -> None:
        """Note that a frame arrived (pings included): the connection is alive."""
        link = self.links.setdefault(name, Link("up", self.clock.now()))
        link.frames, link.last_frame = link.frames + 1, self.clock.now()

    def report(self, down_after: float) -> tuple[bool, dict[str, dict]]:
        """Return (ready, details): not ready when a held connection has been down longer than `down_after`."""
        now, ready, out = self.clock.now(), True, {}
        for name, link in sorted(self.links.items()):
            stale = link.state in ("down", "connecting") and (now - link.since).total_seconds() > down_after
            ready = ready and not stale
            out[name] = {"state": link.state, "since": link.since.isoformat(), "frames": link.frames,
                         "last_frame": link.last_frame.isoformat() if link.last_frame else None}
        return ready, out


class Held:
    """Run one connection only on the replica holding its lease; take it over when the holder dies."""

    def __init__(self, db: Database, clock: Clock, board: Board, name: str, ttl: float,
                 open_: Callable[[], None], close: Callable[[], Awaitable[None]], holder: str | None = None) -> None:
        self.db, self.clock, self.board, self.name = db, clock, board, name
        self.ttl, self._open, self._close = timedelta(seconds=ttl), open_, close
        self.holder = holder or f"{REPLICA}-{secrets.token_hex(2)}"  # each runtime competes on its own
        self.running = False
        self._confirmed: datetime | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Begin competing for the lease in the background."""
        self._task = asyncio.get_running_loop().create_task(self._loop(), name=f"lease-{self.name}")

    async def step(self) -> bool:
        """Renew or take the lease once; open or close the connection to match; return whether we hold it."""
        now = self.clock.now()
        try:
            held = await leases.acquire(self.db, f"conn:{self.name}", self.holder, now, self.ttl)
            self._confirmed = now if held else None
        except Exception as exc:  # the database is away: keep the connection only while the lease surely holds
            log.warning("could not renew a connection lease", extra={"connection": self.name, "error": repr(exc)})
            held = bool(self.running and self._confirmed and now - self._confirmed < self.ttl * 2 / 3)
        if held and not self.running:
            log.info("holding the connection lease; connecting", extra={"connection": self.name})
            self.running = True
            self.board.mark(self.name, "connecting")
            self._open()
        elif not held and self.running:
            log.warning("lost the connection lease; closing", extra={"connection": self.name})
            await self._stop_client()
        elif not held:
            self.board.mark(self.name, "standby")
        return held

    async def _stop_client(self) -> None:
        self.running = False
        with contextlib.suppress(Exception):
            await self._close()
        self.board.mark(self.name, "standby")

    async def _loop(self) -> None:
        while True:
            await self.step()
            await asyncio.sleep(self.ttl.total_seconds() / 3)

    async def stop(self) -> None:
        """Stop competing, close the connection and hand the lease over at once."""
        await cancel_and_wait([self._task])
        if self.running:
            await self._stop_client()
            with contextlib.suppress(Exception):
                await leases.release(self.db, f"conn:{self.name}", self.holder)


class Client(Protocol):
    """A long connection's client: started when built, stopped by `stop()`."""

    async def stop(self) -> None:
        """Close the connection and end its loop."""
        ...


C = TypeVar("C", bound=Client)


class HeldClient(Generic[C]):
    """One platform client run under its lease: `client` is the running one, None while another replica holds it."""

    def __init__(self, db: Database, clock: Clock, board: Board, name: str, ttl: float,
                 make: Callable[[], C]) -> None:
        self.client: C | None = None
        self._make = make
        self.lease = Held(db, clock, board, name, ttl, self._open, self._close)

    def _open(self) -> None:
        self.client = self._make()

    async def _close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.stop()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[HeldClient[C]]:
        """Compete for the lease while the block runs (a free lease is taken at once); hand it over after."""
        await self.lease.step()  # the first replica connects now, not a lease period later
        self.lease.start()
        try:
            yield self
        finally:
            await self.lease.stop()
