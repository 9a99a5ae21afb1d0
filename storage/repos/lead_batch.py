"""Set-based lead queries: many intake keys, customers and leads looked up or written per statement.

The lead flow runs a batch (one request is a batch of one) as a few IN-queries and multi-row inserts, so its cost
per lead does not grow with the lead table: every lookup here rides a unique or foreign-key index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Contact, Customer, CustomerKey, Lead, LeadEvent, Member
from storage.repos._sql import dialect_of, insert_ignore, pk_col, table_of

T = table_of(Lead)
C = table_of(Customer)
K = table_of(Contact)
E = table_of(LeadEvent)


async def begin_write(session: AsyncSession) -> None:
    """Start the transaction as a writer on SQLite, so what it reads to decide cannot change before it writes.

    SQLite has one writer at a time and its driver starts a transaction only at the first write; taking the write
    lock first serializes concurrent intakes as a whole. PostgreSQL needs nothing here: it locks rows instead.
    """
    if dialect_of(session) == "sqlite":
        await session.execute(update(T).where(T.c.id < 0).values(id=T.c.id))


async def leads_by_key(session: AsyncSession, keys: Iterable[str]) -> dict[str, tuple[int, int | None]]:
    """Return {intake key: (lead id, owner id)} of the keys already taken (unique index)."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    rows = await session.execute(select(T.c.intake_key, T.c.id, T.c.owner_id).where(T.c.intake_key.in_(keys)))
    return {k: (i, o) for k, i, o in rows.all()}


async def customer_ids(session: AsyncSession, mobiles: Iterable[str], external_ids: Iterable[str],
                       company_keys: Iterable[str]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Return ({mobile: customer}, {external userid: customer}, {company key: customer}) via their indexes."""
    out: list[dict[str, int]] = []
    for column in (K.c.mobile, K.c.wecom_external_userid):
        values = sorted({v for v in (mobiles if column is K.c.mobile else external_ids) if v})
        rows = (await session.execute(select(column, K.c.customer_id).where(column.in_(values))
                                      .order_by(K.c.id.desc()))).all() if values else []
        out.append({v: cid for v, cid in rows})  # descending ids: the oldest contact wins, like a LIMIT 1 scan
    names = sorted({v for v in company_keys if v})
    rows = (await session.execute(select(C.c.normalized_name, C.c.id).where(C.c.normalized_name.in_(names)))
            ).all() if names else []
    return out[0], out[1], dict(rows)


async def lock_customers(session: AsyncSession, ids: Iterable[int]) -> dict[int, Any]:
    """Lock the customers (PostgreSQL row locks, in id order so batches cannot deadlock); return id -> row."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    stmt = select(C.c.id, C.c.name, C.c.owner_id).where(C.c.id.in_(ids)).order_by(C.c.id).with_for_update()
    return {r.id: r for r in (await session.execute(stmt)).all()}


async def recent_leads(session: AsyncSession, customer_ids: Iterable[int], since: datetime) -> dict[int, Any]:
    """Return {customer: its newest lead received since `since`} (the dedupe window), via the customer index."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    stmt = (select(T.c.customer_id, T.c.id, T.c.owner_id).where(T.c.customer_id.in_(ids), T.c.received_at >= since)
            .order_by(T.c.received_at, T.c.id))
    return {r.customer_id: r for r in (await session.execute(stmt)).all()}  # the newest overwrites


async def contacts_of(session: AsyncSession, customer_ids: Iterable[int]) -> set[tuple[int, str]]:
    """Return {(customer, "m:<mobile>" | "x:<external userid>")} for the customers' contacts."""
    ids = sorted(set(customer_ids))
    if not ids:
        return set()
    rows = await session.execute(select(K.c.customer_id, K.c.mobile, K.c.wecom_external_userid)
                                 .where(K.c.customer_id.in_(ids)))
    out = set()
    for cid, mobile, ext in rows.all():
        out |= {(cid, f"m:{mobile}")} if mobile else set()
        out |= {(cid, f"x:{ext}")} if ext else set()
    return out


async def insert_customers(session: AsyncSession, rows: Sequence[dict]) -> dict[str, int]:
    """Insert customers in one statement; return {normalized name: id}."""
    if not rows:
        return {}
    result = await session.execute(C.insert().returning(C.c.normalized_name, C.c.id), list(rows))
    return dict(result.all())


async def insert_leads(session: AsyncSession, rows: Sequence[dict]) -> dict[str, int]:
    """Insert leads in one statement; return {intake key: id}."""
    if not rows:
        return {}
    return dict((await session.execute(T.insert().returning(T.c.intake_key, T.c.id), list(rows))).all())


async def insert_many(session: AsyncSession, model: Any, rows: Sequence[dict]) -> None:
    """Insert rows of contacts, customer keys or lead events in one statement (a unique clash raises)."""
    if rows:
        await session.execute(table_of(model).insert(), list(rows))


async def claim_keys(session: AsyncSession, claims: dict[str, int]) -> bool:
    """Claim {"m:<mobile>" | "x:<external userid>": customer}; False when a key belongs to another customer."""
    if not claims:
        return True
    KT = table_of(CustomerKey)
    stmt = insert_ignore(KT, dialect_of(session), ["key"]).returning(KT.c.key)
    new = set((await session.execute(stmt, [{"key": k, "customer_id": c} for k, c in sorted(claims.items())]))
              .scalars())
    rest = sorted(set(claims) - new)  # claimed before: fine when by the same customer
    rows = (await session.execute(select(KT.c.key, KT.c.customer_id).where(KT.c.key.in_(rest)))).all() if rest else []
    return all(claims[k] == c for k, c in rows)


async def set_customer_owners(session: AsyncSession, owners: dict[int, int]) -> None:
    """Set customers' owners (one customer, one owner) in one executemany."""
    if owners:
        stmt = update(C).where(C.c.id == bindparam("cid")).values(owner_id=bindparam("oid"))
        await session.execute(stmt, [{"cid": c, "oid": o} for c, o in sorted(owners.items())])


async def member_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """Return {member id: name} in one query."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    stmt = select(pk_col(Member.id), col(Member.name)).where(col(Member.id).in_(ids))
    return dict((await session.execute(stmt)).all())

