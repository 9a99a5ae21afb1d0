"""WeCom template-card response codes in card_ref: each works once within 72 h (wecom.md §3).

Row per card (card_key = task_id): `update_token` holds the newest unused response_code and
`token_expires_at` its expiry; `message_id` the msgid message/send returned. A code is claimed with a
conditional UPDATE, so two senders (or two replicas) can never both spend it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from storage.db import Database
from storage.models import CardRef
from storage.repos._sql import insert_ignore, table_of

T = table_of(CardRef)
PLATFORM = "wecom"


async def remember(db: Database, task_id: str, code: str, expires: datetime, message_id: str = "") -> None:
    """Keep a response_code unless a newer one (later expiry) is stored already; re-saving one is a no-op."""
    if not code:
        return
    async with db.engine.begin() as conn:
        await conn.execute(insert_ignore(T, db.dialect, ["platform", "card_key"]).values(
            platform=PLATFORM, card_key=task_id[:200], message_id=message_id[:200], update_token="",
            token_expires_at=None))
        await conn.execute(update(T).where(
            T.c.platform == PLATFORM, T.c.card_key == task_id[:200],
            (T.c.token_expires_at.is_(None)) | (T.c.token_expires_at < expires))
            .values(update_token=code[:400], token_expires_at=expires))


async def claim(db: Database, task_id: str, now: datetime) -> str | None:
    """Take the card's unused, unexpired response_code (spending it), or None."""
    async with db.engine.begin() as conn:
        row = (await conn.execute(select(T.c.id, T.c.update_token).where(
            T.c.platform == PLATFORM, T.c.card_key == task_id[:200], T.c.update_token != "",
            T.c.token_expires_at > now))).first()
        if row is None:
            return None
        taken = await conn.execute(update(T).where(T.c.id == row.id, T.c.update_token == row.update_token)
                                   .values(update_token=""))
        return row.update_token if taken.rowcount == 1 else None
