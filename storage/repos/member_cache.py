"""Who is behind a platform user id, cached: every event resolves its actor, and members rarely change.

Any change to a member or an identity made through a session of this process (ORM flushes, and
INSERT/UPDATE/DELETE statements on those tables) drops every cache at once. A change made by another process
(a second replica, `salesbot import members` run beside a server) is seen within TTL seconds.
Cached members are detached from the session that loaded them, so a rollback there cannot expire them.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Member
from storage.repos import members
from storage.repos.table_watch import TableWatch

TTL = 30.0  # seconds: how stale a change made by another process may be seen
MAX_ENTRIES = 50_000
WATCH = TableWatch(Member, Identity)


def invalidate() -> None:
    """Drop every cached lookup (members or identities changed)."""
    WATCH.invalidate()


class MemberCache:
    """(platform, user id) → Member or None, per process."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._rows: dict[tuple[str, str], Member | None] = {}
        self._generation = -1
        self._until = 0.0

    async def get(self, session: AsyncSession, platform: str, user_id: str) -> Member | None:
        """Return the member behind (platform, user_id), looking it up at most once per change or TTL."""
        now = time.monotonic()
        if self._generation != WATCH.generation or now >= self._until or len(self._rows) >= MAX_ENTRIES:
            self._rows.clear()
            self._generation, self._until = WATCH.generation, now + self.ttl
        key = (platform, user_id)
        if key in self._rows:
            return self._rows[key]
        generation = WATCH.generation
        member = await members.by_identity(session, platform, user_id)
        if member is not None:
            session.expunge(member)
        if generation == WATCH.generation == self._generation:  # nothing changed while we looked
            self._rows[key] = member
        return member
