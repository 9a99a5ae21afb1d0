"""Card views: store the cards shortened messages link to, and read one back for its page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from storage.models import CardView
from storage.repos._sql import dialect_of, insert_ignore, rowcount, table_of

T = table_of(CardView)


async def save(session, views: dict[str, dict[str, Any]], now: datetime) -> None:
    """Store each digest → card once, in the caller's transaction (a card already stored stays as it was)."""
    if not views:
        return
    rows = [{"digest": d, "card": json.dumps(c, ensure_ascii=False), "created_at": now} for d, c in views.items()]
    await session.execute(insert_ignore(T, dialect_of(session), ["digest"]), rows)


async def load(session, digest: str) -> dict[str, Any] | None:
    """Return the stored card dict for a digest, or None."""
    text = (await session.execute(select(T.c.card).where(T.c.digest == digest))).scalar()
    return json.loads(text) if text else None


async def prune(session, before: datetime) -> int:
    """Delete views created before `before` (their links have expired); return how many."""
    return rowcount(await session.execute(delete(T).where(T.c.created_at < before))) or 0
