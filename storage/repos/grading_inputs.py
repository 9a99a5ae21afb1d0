"""The inputs of grading, for every customer at once: a handful of GROUP BY statements, never one per customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Float, and_, case, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from bot.core.lazy import library
from storage.models import Customer, CustomerScore, Evidence, Interaction, Opportunity, Order, ScriptUse, StageChange
from storage.repos._sql import table_of

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

C, IN, OP, EV = (table_of(x) for x in (Customer, Interaction, Opportunity, Evidence))
OR, SC, SU, CS = (table_of(x) for x in (Order, StageChange, ScriptUse, CustomerScore))
YEAR = timedelta(days=365)
FUTURE, BEFORE_CUSTOMER = -2, -1  # bucket codes of events that are left out


class epoch(FunctionElement):
    """Seconds since 1970 of a stored (naive UTC) timestamp, as a float: 200,000 rows need no datetime parsing."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_pg(element, compiler, **kw) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@dataclass
class CustomerRows:
    """Every customer's id, industry, owner, grade and creation time (parallel lists)."""

    ids: np.ndarray
    industry: np.ndarray
    owner: list[int | None]
    grade: np.ndarray
    created: np.ndarray  # epoch seconds, NaN when unknown


async def customers(session: AsyncSession, ids: list[int] | None = None) -> CustomerRows:
    """Return every customer (or the given ones) ordered by id."""
    stmt = select(C.c.id, C.c.industry, C.c.owner_id, C.c.grade, epoch(C.c.created_at)).order_by(C.c.id)
    if ids is not None:
        stmt = stmt.where(C.c.id.in_(ids))
    rows = (await session.execute(stmt)).all()
    return CustomerRows(np.array([r[0] for r in rows], dtype=np.int64),
                        np.array([r[1] or "" for r in rows], dtype=object), [r[2] for r in rows],
                        np.array([r[3] or "" for r in rows], dtype=object),
                        np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float))


async def orders(session: AsyncSession, now: datetime) -> list[tuple]:
    """Per customer: (id, n, first, last, total, last12, prev12, future, not_positive) over usable orders;
    first and last in epoch seconds."""
    ok = and_(OR.c.amount > 0, OR.c.ordered_at.is_not(None), OR.c.ordered_at <= now)
    amount = lambda cond: func.sum(case((and_(ok, cond), OR.c.amount), else_=0))  # noqa: E731
    # Grouping by an expression keeps SQLite from walking ix_order_customer_at and fetching every row at random:
    # one sequential scan and a sort is about twice as fast.
    cid = (OR.c.customer_id + 0).label("cid")
    stmt = select(cid, func.sum(case((ok, 1), else_=0)),
                  func.min(case((ok, epoch(OR.c.ordered_at)))), func.max(case((ok, epoch(OR.c.ordered_at)))),
                  amount(literal(True)), amount(OR.c.ordered_at > now - YEAR),
                  amount(and_(OR.c.ordered_at <= now - YEAR, OR.c.ordered_at > now - 2 * YEAR)),
                  func.sum(case((OR.c.ordered_at > now, 1), else_=0)),
                  func.sum(case((OR.c.amount <= 0, 1), else_=0))).group_by(cid)
    return list((await session.execute(stmt)).all())


async def pipeline(session: AsyncSession) -> dict[int, float]:
    """Return each customer's open pipeline value: amount, else the budget's middle."""
    mid = (func.coalesce(OP.c.budget_low, OP.c.budget_high) + func.coalesce(OP.c.budget_high, OP.c.budget_low)) / 2
    value = func.coalesce(OP.c.amount, mid, 0)
    stmt = select(OP.c.customer_id, func.sum(value)).where(OP.c.status == "open").group_by(OP.c.customer_id)
    return {cid: float(v or 0) for cid, v in (await session.execute(stmt)).all()}


def _bucket(at, edges: list[datetime], now: datetime, created=None):
    whens = [(at > now, FUTURE)]
    if created is not None:
        whens.append((and_(created.is_not(None), at < created), BEFORE_CUSTOMER))
    whens += [(at >= edge, k) for k, edge in enumerate(edges)]
    return case(*whens, else_=len(edges))


async def activity(session: AsyncSession, now: datetime, edges: list[datetime],
                   ids: list[int] | None = None) -> list[tuple]:
    """Return (customer, source, bucket, count) for every event in the window, from every source, in one query."""
    start = edges[-1]
    inter = (select(IN.c.customer_id.label("cid"), IN.c.kind.label("src"),
                    _bucket(IN.c.at, edges, now, C.c.created_at).label("b"))
             .select_from(IN.join(C, C.c.id == IN.c.customer_id)).where(IN.c.at >= start))
    parts = [inter if ids is None else inter.where(IN.c.customer_id.in_(ids))]
    for table, at, src, extra in ((EV, EV.c.created_at, "evidence", None), (SC, SC.c.at, "stage_change", None),
                                  (SU, SU.c.at, "script_use", SU.c.kind == "used")):
        q = (select(OP.c.customer_id.label("cid"), literal(src).label("src"), _bucket(at, edges, now).label("b"))
             .select_from(table.join(OP, OP.c.id == table.c.opportunity_id)).where(at >= start))
        q = q.where(extra) if extra is not None else q
        parts.append(q if ids is None else q.where(OP.c.customer_id.in_(ids)))
    u = union_all(*parts).subquery()
    stmt = select(u.c.cid, u.c.src, u.c.b, func.count()).group_by(u.c.cid, u.c.src, u.c.b)
    return list((await session.execute(stmt)).all())


async def last_interaction(session: AsyncSession, now: datetime) -> list[tuple[int, float]]:
    """Return (customer, epoch seconds of its latest interaction that is not in the future)."""
    stmt = select(IN.c.customer_id, epoch(func.max(IN.c.at))).where(IN.c.at <= now).group_by(IN.c.customer_id)
    return list((await session.execute(stmt)).all())


async def previous(session: AsyncSession) -> dict[int, float]:
    """Return each customer's predicted value from the last run."""
    return dict((await session.execute(select(CS.c.customer_id, CS.c.ltv))).all())
