"""History import queries, one batch at a time: lookups by key, multi-row inserts, executemany updates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, bindparam, select, update
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
    """Insert new customers; return {normalized name: id} (one insert, one lookup)."""
    if not rows:
        return {}
    await insert_plain(session, "customer", rows)
    return {k: v[0] for k, v in (await customers(session, [r["normalized_name"] for r in rows])).items()}


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


MAX_PARAMS = 30_000  # bound parameters per statement, under SQLite's 32766 and PostgreSQL's 65535
TABLES = {"contact": CT, "customer": C, "customer_event": CE, "customer_order": OR, "interaction": IN}


def _driver_value(value: Any, dialect: str) -> Any:
    """What the column types would bind: naive UTC datetimes (SQLAlchemy's text format on SQLite), JSON text."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


async def insert_plain(session: AsyncSession, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows straight through the driver (no RETURNING, no per-row SQLAlchemy processing).

    SQLAlchemy's per-row bind processing and its RETURNING batches cost more than the database's own work
    on history-sized files (bench/history.py); the values are converted here exactly as the types would.
    """
    if not rows:
        return
    target = TABLES[table]
    columns = list(rows[0])
    conn = await session.connection()
    dialect = conn.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    one = "(" + ", ".join(f"CAST({mark} AS JSON)" if isinstance(target.c[c].type, JSON) and dialect.name == "postgresql"
                          else mark for c in columns) + ")"
    if dialect.name == "sqlite":  # in-process: executemany of one small prepared statement is fastest
        sql = f"INSERT INTO {target.name} ({', '.join(columns)}) VALUES {one}"
        await conn.exec_driver_sql(sql, [tuple(_driver_value(r[c], "sqlite") for c in columns) for r in rows])
        return
    step = max(1, MAX_PARAMS // len(columns))
    for start in range(0, len(rows), step):  # PostgreSQL: one multi-row VALUES per chunk, one round trip
        part = rows[start:start + step]
        sql = f"INSERT INTO {target.name} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))}"
        values = tuple(_driver_value(r[c], dialect.name) for r in part for c in columns)
        await conn.exec_driver_sql(sql, values)


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
