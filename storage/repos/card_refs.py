"""Cards a later send updates by name (the breach digest): card_ref rows keyed (platform, card_key) → message_id."""

from __future__ import annotations

from sqlalchemy import select, update

from storage.db import Database
from storage.models import CardRef
from storage.repos._sql import insert_ignore, table_of

T = table_of(CardRef)


async def remember(db: Database, platform: str, key: str, message_id: str) -> None:
    """Keep the message id a card named `key` was sent as (the newest one wins)."""
    async with db.engine.begin() as conn:
        await conn.execute(insert_ignore(T, db.dialect, ["platform", "card_key"]).values(
            platform=platform, card_key=key[:200], message_id=message_id[:200], update_token=""))
        await conn.execute(update(T).where(T.c.platform == platform, T.c.card_key == key[:200])
                           .values(message_id=message_id[:200]))


async def message_of(db: Database, platform: str, key: str) -> str:
    """The message id the card named `key` was sent as, or "" when it was never sent."""
    async with db.engine.connect() as conn:
        found = (await conn.execute(select(T.c.message_id).where(
            T.c.platform == platform, T.c.card_key == key[:200]))).scalar_one_or_none()
    return found or ""
