"""History import queries, one batch at a time: lookups by key, multi-row inserts, executemany updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Contact, Customer, Member
from storage.repos import bulk_write
from storage.repos._sql import pk_col, table_of

C, CT = table_of(Customer), table_of(Contact)
# Column orders of the plain tuples the import writes (storage/repos/bulk_write.py): no dict or ORM object per row.
CUSTOMER_COLUMNS = ("name", "normalized_name", "industry", "region", "owner_id", "grade", "created_at", "in_pool",
                    "pool_since", "owned_since")
EVENT_COLUMNS = ("customer_id", "kind", "member_id", "owner_from", "owner_to", "reason", "detail", "at")
CONTACT_COLUMNS = ("customer_id", "name", "mobile", "wecom_external_userid", "title")
ORDER_COLUMNS = ("customer_id", "owner_id", "amount", "product", "ordered_at", "accepted_at", "source", "import_key",
                 "created_at")
INTERACTION_COLUMNS = ("customer_id", "member_id", "kind", "note", "at", "import_key")


async def members(session: AsyncSession) -> dict[str, int]:
    """Every member's id by name (small: read once per import)."""
    return dict((await session.execute(select(col(Member.name), pk_col(Member.id)))).all())


async def customers(session: AsyncSession, keys: Iterable[str]) -> dict[str, tuple[int, int | None, str, str]]:
    """{normalized name: (id, owner, industry, region)} for the keys that exist."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    stmt = select(C.c.normalized_name, C.c.id, C.c.owner_id, C.c.industry, C.c.region).where(
        C.c.normalized_name.in_(keys))
    return {k: (i, o, ind, reg) for k, i, o, ind, reg in (await session.execute(stmt)).all()}


async def insert_customers(session: AsyncSession, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
    """Insert new customers (tuples in CUSTOMER_COLUMNS order); return {normalized name: id}."""
    if not rows:
        return {}
    await bulk_write.insert_rows(session, "customer", CUSTOMER_COLUMNS, rows)
    key = CUSTOMER_COLUMNS.index("normalized_name")
    return {k: v[0] for k, v in (await customers(session, [r[key] for r in rows])).items()}


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


async def customer_index(session: AsyncSession) -> dict[str, tuple[int, int | None]]:
    """{normalized name: (id, owner)} of every customer: orders and interactions resolve names in memory.

    One read instead of one IN-list query per batch (the lookups were 16% of an orders import); the dict
    grows with the customers, not with the file.
    """
    stmt = select(C.c.normalized_name, C.c.id, C.c.owner_id)
    return {k: (i, o) for k, i, o in (await session.execute(stmt)).all()}


async def touch(session: AsyncSession, latest: dict[int, datetime]) -> None:
    """Move customers' last-touch stamps forward to their newest imported interaction."""
    if latest:
        stmt = (update(C).where(C.c.id == bindparam("cid"),
                                (C.c.last_touch_at.is_(None)) | (C.c.last_touch_at < bindparam("at")))
                .values(last_touch_at=bindparam("at")))
        await session.execute(stmt, [{"cid": c, "at": at} for c, at in latest.items()])
