"""The archive of refused inbound requests."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import RejectedRequest

T = RejectedRequest.__table__


async def archive(db: Database, route: str, status: int, reason: str, content_type: str, body: bytes,
                  now: datetime) -> None:
    """Keep a refused body (decoded leniently) with why it was refused."""
    text = body.decode("utf-8", errors="replace")
    async with db.engine.begin() as conn:
        await conn.execute(T.insert().values(route=route[:200], status=status, reason=reason[:2000],
                                             content_type=content_type[:120], body=text, received_at=now))
