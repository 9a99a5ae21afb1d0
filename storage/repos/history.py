"""History import queries, one batch at a time: lookups by key, multi-row inserts, executemany updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, Customer, Interaction, Member
from storage.models_history import CustomerEvent, Order

C, CT, IN, OR = Customer.__table__, Contact.__table__, Interaction.__table__, Order.__table__
CE = CustomerEvent.__table__


async def members(session: AsyncSession) -> dict[str, int]:
    """Every member's id by name (small: read once per import)."""
    return dict((await session.execute(select(Member.name, Member.id))).all())


async def customers(session: AsyncSession, keys: Iterable[str]) -> dict[str, tuple[int, int | None, str, str]]:
    """{normalized name: (id, owner, industry, region)} for the keys that exist."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    stmt = select(C.c.normalized_name, C.c.id, C.c.owner_id, C.c.industry, C.c.region).where(
        C.c.normalized_name.in_(keys))
    return {k: (i, o, ind, reg) for k, i, o, ind, reg in (await session.execute(stmt)).all()}


async def insert_customers(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert new customers; return {normalized name: id}."""
    if not rows:
        return {}
    return dict((await session.execute(C.insert().returning(C.c.normalized_name, C.c.id), list(rows))).all())


async def update_customers(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Set industry / region / owner (a pooled customer gets the owner the file names) by id."""
    if rows:
        stmt = (update(C).where(C.c.id == bindparam("cid"))
                .values(industry=bindparam("industry"), region=bindparam("region"), owner_id=bindparam("owner"),
                        in_pool=bindparam("pooled")))
        await session.execute(stmt, list(rows))


async def contacts(session: AsyncSession, customer_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(customer, mobile) pairs already there."""
    ids = sorted(set(customer_ids))
    if not ids:
        return set()
    return {(c, m) for c, m in (await session.execute(select(CT.c.customer_id, CT.c.mobile)
                                                      .where(CT.c.customer_id.in_(ids)))).all()}


async def insert(session: AsyncSession, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Multi-row insert into contact / customer_event / customer_order / interaction."""
    if rows:
        target = {"contact": CT, "customer_event": CE, "customer_order": OR, "interaction": IN}[table]
        await session.execute(target.insert(), list(rows))


def _driver_value(value: Any, dialect: str) -> Any:
    """What UTCDateTime would bind: naive UTC (as SQLAlchemy's SQLite text format on SQLite)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else value
    return value


async def insert_plain(session: AsyncSession, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of plain columns straight through the driver's executemany.

    For the big history tables only (orders, interactions: no JSON columns): SQLAlchemy's per-row bind
    processing cost more than SQLite's whole insert (bench/history.py).
    """
    if not rows:
        return
    target = {"customer_order": OR, "interaction": IN}[table]
    columns = list(rows[0])
    conn = await session.connection()
    dialect = conn.dialect
    marks = ", ".join(["?" if dialect.paramstyle == "qmark" else "%s"] * len(columns))
    sql = f"INSERT INTO {target.name} ({', '.join(columns)}) VALUES ({marks})"
    await conn.exec_driver_sql(sql, [tuple(_driver_value(r[c], dialect.name) for c in columns) for r in rows])


async def existing_keys(session: AsyncSession, table: str, keys: Iterable[str]) -> set[str]:
    """The import keys of this batch already in the table (an earlier import of the same rows)."""
    keys = sorted(set(keys))
    target = {"customer_order": OR, "interaction": IN}[table]
    if not keys:
        return set()
    return set((await session.execute(select(target.c.import_key).where(target.c.import_key.in_(keys)))).scalars())


async def touch(session: AsyncSession, latest: dict[int, datetime]) -> None:
    """Move customers' last-touch stamps forward to their newest imported interaction."""
    if latest:
        stmt = (update(C).where(C.c.id == bindparam("cid"),
                                (C.c.last_touch_at.is_(None)) | (C.c.last_touch_at < bindparam("at")))
                .values(last_touch_at=bindparam("at")))
        await session.execute(stmt, [{"cid": c, "at": at} for c, at in latest.items()])
