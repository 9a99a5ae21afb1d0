"""Queries of the battle map: counts per (owner, industry) and the records behind them, set-based.

Each signal kind is one GROUP BY (per owner, or per region for the admin's view) plus one top-N fetch of its
oldest records, and the lead density one GROUP BY: a company of 10,000 reps and a million leads costs about
fifteen statements, not one per rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, FromClause, String, cast, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.vocab import CustomerEventKind, LeadStatus
from sales.battle_map import Signal
from sales.stages import Pipeline
from storage.models import Customer, CustomerEvent, Interaction, Lead, Member, Opportunity, Order
from storage.repos._sql import dialect_of, table_of

LD, CU, OP, IN = table_of(Lead), table_of(Customer), table_of(Opportunity), table_of(Interaction)
CE, OR, MB = table_of(CustomerEvent), table_of(Order), table_of(Member)
RECORD_CAP = 2000  # oldest records fetched per kind; each cell shows its three oldest among them
LEAD_CONVERT_DAYS = 14
RECENT = timedelta(days=30)
CHURN_KINDS = (CustomerEventKind.RECLAIMED.value, CustomerEventKind.CONTACT_DELETED.value)


def _owned(col, ids: Sequence[int] | None):
    return col.is_not(None) if ids is None else col.in_(ids)


def _sources(now: datetime, pipe: Pipeline, dormant_days: int, ids) -> dict[str, object]:
    """Each signal kind as a subquery of (owner, industry, customer, subject, since, detail)."""
    # one SELECT per stage, UNION ALL: each is a range on the (status, stage, stage_entered_at) index, so only
    # the late deals are read (an OR of the stages made SQLite read every open deal)
    stalled = union_all(*(select(OP.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, OP.c.stage_entered_at,
                                 literal(s.name).label("detail"))
                          .select_from(OP.join(CU, CU.c.id == OP.c.customer_id))
                          .where(OP.c.status == "open", OP.c.stage == s.key, _owned(OP.c.owner_id, ids),
                                 OP.c.stage_entered_at < now - timedelta(days=s.benchmark_days))
                          for s in pipe.stages))
    lead_cust = LD.join(CU, CU.c.id == LD.c.customer_id, isouter=True)
    subject = func.coalesce(CU.c.name, LD.c.contact_name)
    quiet = now - timedelta(days=dormant_days)
    empty = cast(literal(""), String)
    customers: FromClause
    last: ColumnElement[Any]
    if ids is None:  # the whole company: one pass over the interactions beats 200k index seeks
        touches = select(IN.c.customer_id, func.max(IN.c.at).label("last")).group_by(IN.c.customer_id).subquery()
        customers, last = CU.join(touches, touches.c.customer_id == CU.c.id, isouter=True), touches.c.last
    else:  # a team: an index seek per owned customer
        customers = CU
        last = select(func.max(IN.c.at)).where(IN.c.customer_id == CU.c.id).scalar_subquery()
    last = func.coalesce(last, CU.c.created_at)
    return {
        "deal_stalled": stalled,
        "lead_breached": select(LD.c.owner_id, CU.c.industry, CU.c.id, subject, LD.c.breached_at, LD.c.source)
        .select_from(lead_cust).where(LD.c.status == LeadStatus.BREACHED.value, _owned(LD.c.owner_id, ids)),
        "lead_stuck": select(LD.c.owner_id, CU.c.industry, CU.c.id, subject, LD.c.accepted_at, LD.c.source)
        .select_from(lead_cust).where(LD.c.status == LeadStatus.ACCEPTED.value, _owned(LD.c.owner_id, ids),
                                      LD.c.accepted_at < now - timedelta(days=LEAD_CONVERT_DAYS)),
        "dormant": select(CU.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, last, empty)
        .select_from(customers)
        .where(_owned(CU.c.owner_id, ids), CU.c.created_at < quiet, last < quiet),
        "churn": select(CE.c.owner_from, CU.c.industry, CU.c.id, CU.c.name, CE.c.at, CE.c.kind)
        .select_from(CE.join(CU, CU.c.id == CE.c.customer_id))
        .where(CE.c.kind.in_(CHURN_KINDS), CE.c.at >= now - RECENT, _owned(CE.c.owner_from, ids)),
        "deal_lost": select(OP.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, OP.c.closed_at, OP.c.lost_reason)
        .select_from(OP.join(CU, CU.c.id == OP.c.customer_id))
        .where(OP.c.status == "lost", OP.c.closed_at >= now - RECENT, _owned(OP.c.owner_id, ids)),
    }


async def density(session: AsyncSession, since: datetime, ids: Sequence[int] | None,
                  by_region: bool = False) -> list[tuple[int | str, str, int]]:
    """Return (owner or region, industry, leads received since `since`) rows."""
    row = func.coalesce(MB.c.region, "") if by_region else LD.c.owner_id
    industry = func.coalesce(CU.c.industry, "")
    joined = LD.join(CU, CU.c.id == LD.c.customer_id, isouter=True)
    stmt = (select(row, industry, func.count())
            .select_from(joined.join(MB, MB.c.id == LD.c.owner_id) if by_region else joined)
            .where(LD.c.received_at >= since, _owned(LD.c.owner_id, ids)).group_by(row, industry))
    return [(o, i, n) for o, i, n in await session.execute(stmt)]


async def signals(session: AsyncSession, now: datetime, pipe: Pipeline, dormant_days: int,
                  ids: Sequence[int] | None, by_region: bool = False
                  ) -> tuple[list[tuple[int | str, str, str, int]], list[Signal]]:
    """Return per-kind (row key, industry, kind, n) counts and the oldest RECORD_CAP records of each kind.

    The row key is the owner (rep rows) or the owner's region (`by_region`, the admin's first view), grouped in
    SQL. Records come oldest first (a top-N sort, not a full one); the page keeps each cell's three oldest.
    """
    counts: list[tuple[int | str, str, str, int]] = []
    records: list[Signal] = []
    sources = {**_sources(now, pipe, dormant_days, ids), "order_overdue": _overdue(now, ids, dialect_of(session))}
    for kind, stmt in sources.items():
        for tag, key, ind, n, owner, cid, subject, at, detail in await session.execute(_one_pass(stmt, by_region)):
            if tag == "n":
                counts.append((key, ind, kind, n))
            elif at is not None:
                records.append(Signal(kind, owner, ind, cid, subject or "", at, detail or "", str(key)))
    return counts, records


def _one_pass(stmt, by_region: bool):
    """One statement per kind: the kind's rows materialized once, then its oldest records and its group counts."""
    sub = stmt.subquery()
    source = sub.join(MB, MB.c.id == sub.c[0]) if by_region else sub
    row = func.coalesce(MB.c.region, "") if by_region else sub.c[0]
    k = (select(row.label("rowkey"), func.coalesce(sub.c[1], "").label("industry"), sub.c[0].label("owner"),
                sub.c[2].label("cid"), sub.c[3].label("subject"), sub.c[4].label("since"), sub.c[5].label("detail"))
         .select_from(source).cte().prefix_with("MATERIALIZED"))
    no_count = cast(null(), BigInteger).label("n")  # typed: PostgreSQL types an untyped NULL in a subquery as text
    oldest = (select(literal("r").label("tag"), k.c.rowkey, k.c.industry, no_count, k.c.owner, k.c.cid, k.c.subject,
                     k.c.since, k.c.detail).order_by(k.c.since, k.c.cid).limit(RECORD_CAP).subquery())
    grouped = (select(literal("n"), k.c.rowkey, k.c.industry, func.count(), null(), null(), null(), null(), null())
               .group_by(k.c.rowkey, k.c.industry))
    return union_all(select(oldest), grouped)  # the records first: their column types type the result


def _days(col, dialect: str):
    """A timestamp as a number of days, on either backend (for the order-cycle arithmetic)."""
    if dialect == "postgresql":
        return func.extract("epoch", col) / 86400.0
    return func.julianday(col)


def _overdue(now: datetime, ids, dialect: str):
    """Customers with 2+ orders whose last order is older than 1.5 × their average gap between orders.

    The test runs in SQL — (n − 1) · (now − last) > 1.5 · (last − first) — and the record's date is the last
    order, so the kind goes through the same one-pass statement as the others.
    """
    first, last, n = func.min(OR.c.ordered_at), func.max(OR.c.ordered_at), func.count()
    today = _days(literal(now.astimezone(UTC).replace(tzinfo=None)), dialect)
    return (select(CU.c.owner_id, CU.c.industry, CU.c.id, CU.c.name, last, cast(literal("距上次下单"), String))
            .select_from(OR.join(CU, CU.c.id == OR.c.customer_id))
            .where(_owned(CU.c.owner_id, ids), OR.c.ordered_at.is_not(None))
            .group_by(CU.c.owner_id, CU.c.industry, CU.c.id, CU.c.name)
            .having(n >= 2, (n - 1) * (today - _days(last, dialect)) > 1.5 * (_days(last, dialect)
                                                                            - _days(first, dialect))))


async def people(session: AsyncSession, ids: Sequence[int] | None) -> dict[int, tuple[str, str]]:
    """Return {member id: (name, region)} of the members in scope (everyone when ids is None)."""
    stmt = select(MB.c.id, MB.c.name, MB.c.region)
    if ids is not None:
        stmt = stmt.where(MB.c.id.in_(ids))
    return {i: (n, r or "") for i, n, r in await session.execute(stmt)}
