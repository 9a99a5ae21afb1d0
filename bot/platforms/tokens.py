"""Access tokens shared by every replica: one refresher per app at a time, the token kept in the database.

Platforms hand out a new token on a refresh, and with several replicas refreshing on their own the
newer token can invalidate the older one mid-batch (WeCom may; Feishu returns a new token when less
than 30 minutes remain). So a replica that needs a token reads the shared one; only the holder of the
app's refresh lease fetches a new one — before expiry (the margin), or when a platform rejects the
token it was given. Others wait briefly for the new token. Without a database (unit tests, tools)
the token is cached in the process.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeGuard

from storage.db import Database
from storage.repos import app_tokens, leases

REPLICA = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
REFRESH_LEASE = timedelta(seconds=20)
Fetch = Callable[[], Awaitable[tuple[str, float]]]  # -> (token, seconds it lives)


class SharedTokens:
    """Get an app's token from the process, then the database, then (one replica at a time) the platform."""

    def __init__(self, db: Database | None, seconds: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, holder: str = REPLICA) -> None:
        self.db, self._seconds, self._sleep, self.holder = db, seconds, sleep, holder
        self._cache: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0

    def _fresh(self, entry: tuple[str, float] | None, margin: float,
               rejected: str | None) -> TypeGuard[tuple[str, float]]:
        return bool(entry and entry[0] and entry[0] != rejected and entry[1] - margin > self._seconds())

    async def get(self, key: str, fetch: Fetch, margin: float, rejected: str | None = None) -> str:
        """Return a token for `key` valid for more than `margin` seconds and not the `rejected` one."""
        if self._fresh(self._cache.get(key), margin, rejected):
            return self._cache[key][0]
        async with self._locks.setdefault(key, asyncio.Lock()):
            if self._fresh(self._cache.get(key), margin, rejected):
                return self._cache[key][0]
            token = await (self._shared(self.db, key, fetch, margin, rejected) if self.db is not None
                           else self._fetch(key, fetch))
            return token

    async def _fetch(self, key: str, fetch: Fetch) -> str:
        token, ttl = await fetch()
        self.fetches += 1
        self._cache[key] = (token, self._seconds() + ttl)
        if self.db is not None:
            await app_tokens.store(self.db, key, token, datetime.fromtimestamp(self._cache[key][1], UTC))
        return token

    async def _from_db(self, db: Database, key: str) -> tuple[str, float] | None:
        row = await app_tokens.read(db, key)
        return (row[0], row[1].timestamp()) if row else None

    async def _shared(self, db: Database, key: str, fetch: Fetch, margin: float, rejected: str | None) -> str:
        for _ in range(50):  # about 10 s of waiting for another replica's refresh
            entry = await self._from_db(db, key)
            if self._fresh(entry, margin, rejected):
                self._cache[key] = entry
                return entry[0]
            now = datetime.fromtimestamp(self._seconds(), UTC)
            if await leases.acquire(db, f"token:{key}", self.holder, now, REFRESH_LEASE):
                try:
                    entry = await self._from_db(db, key)  # another replica may have refreshed just before us
                    if self._fresh(entry, margin, rejected):
                        self._cache[key] = entry
                        return entry[0]
                    return await self._fetch(key, fetch)
                finally:
                    await leases.release(db, f"token:{key}", self.holder)
            if self._fresh(entry, 0.0, rejected):  # still valid: use it while the other replica refreshes
                return entry[0]
            await self._sleep(0.2)
        return await self._fetch(key, fetch)  # the refresher seems stuck: fetch rather than fail the send
