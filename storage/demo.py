"""The demo's two database chores: is the database still empty, and start over (`salesbot demo --reset`).

The demo company itself is not written here: bot/demo/ produces it by driving the real flows.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from storage import models as m
from storage.db import Database
from storage.repos._sql import table_of

KEEP_ON_RESET = {"rejected_request"}  # refused inbound bodies are an audit trail, not demo data


async def is_empty(db: Database) -> bool:
    """Return True when no member exists yet."""
    async with db.session() as s:
        return not await s.scalar(select(func.count()).select_from(m.Member))


async def wipe(db: Database) -> None:
    """Delete the rows of every table we own except the audit ones, children before parents."""
    async with db.session() as s:
        for table in reversed(m.metadata.sorted_tables):
            if table.name not in KEEP_ON_RESET:
                await s.execute(delete(table))


async def cards_since(db: Database, after: int, limit: int = 2000) -> list[tuple[int, str, dict | None]]:
    """(id, chat, card) of the playground's outbox rows after `after`, oldest first — the card only, not the
    rendered skins, so reading back what the bot said stays cheap."""
    T = table_of(m.OutboxMessage)
    stmt = (select(T.c.id, T.c.target, T.c.payload["card"]).where(T.c.id > after, T.c.platform == "playground")
            .order_by(T.c.id).limit(limit))
    async with db.session() as s:
        return [(i, target, card) for i, target, card in (await s.execute(stmt)).all()]


async def row_counts(db: Database, tables: tuple[str, ...]) -> dict[str, int]:
    """Count the rows of the named tables."""
    by_name = m.metadata.tables
    async with db.session() as s:
        return {name: await s.scalar(select(func.count()).select_from(by_name[name])) or 0 for name in tables}
