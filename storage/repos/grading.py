"""Writes and small reads of grading: scores, grade changes (with history and customer events), lookups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, String, bindparam, cast, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import CustomerEventKind, Grade
from storage.models import Customer, CustomerEvent, CustomerScore, GradeHistory, GradingRun, Member
from storage.repos._sql import dialect_of, table_of
from storage.types import UTCDateTime

C, M, CS, GH, CE = (table_of(x) for x in (Customer, Member, CustomerScore, GradeHistory, CustomerEvent))
CHUNK = 5000


@dataclass(frozen=True)
class Change:
    """One grade change to write: the customer, from → to, by what, why, and the numbers behind it."""

    customer_id: int
    owner_id: int | None
    from_grade: str
    to_grade: str
    source: str  # first | dormant | revived | review
    reason: str
    inputs: dict


async def _chunks(session: AsyncSession, stmt, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        await session.execute(stmt, rows[i:i + CHUNK])


def _naive(value: object, dialect: str) -> object:
    """Bind a datetime the way UTCDateTime stores it (naive UTC; SQLite: its text form)."""
    if not isinstance(value, datetime):
        return value
    naive = value.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else naive


async def bulk_insert(session: AsyncSession, table: str, rows: list[dict]) -> None:
    """Insert plain rows (numbers, short strings, datetimes) through the driver's executemany.

    200,000 rows take about a second this way; SQLAlchemy's per-value processing would take several.
    """
    if not rows:
        return
    cols, dialect = list(rows[0]), dialect_of(session)
    conn = await session.connection()
    if dialect == "postgresql":  # COPY: one stream instead of a statement per row
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None  # only a pool connection invalidated under us has none
        async with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for r in rows:
                await copy.write_row(tuple(_naive(r[c], dialect) for c in cols))
        return
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['?'] * len(cols))})"
    for i in range(0, len(rows), CHUNK * 4):
        await conn.exec_driver_sql(sql, [tuple(_naive(r[c], dialect) for c in cols) for r in rows[i:i + CHUNK * 4]])


async def save_scores(session: AsyncSession, rows: list[dict]) -> None:
    """Replace every customer's latest score: one delete, one bulk insert."""
    await session.execute(delete(CS))
    await bulk_insert(session, "customer_score", rows)


async def apply_changes(session: AsyncSession, changes: list[Change], now: datetime) -> None:
    """Write the grades, a grade_history row and a `graded` customer_event per change, set-based."""
    if not changes:
        return
    await _chunks(session, update(C).where(C.c.id == bindparam("cid")).values(grade=bindparam("g")),
                  [{"cid": c.customer_id, "g": c.to_grade} for c in changes])
    await _chunks(session, insert(GH), [{"customer_id": c.customer_id, "at": now, "from_grade": c.from_grade,
                                          "to_grade": c.to_grade, "source": c.source, "reason": c.reason,
                                          "inputs": c.inputs} for c in changes])
    await _chunks(session, insert(CE), [{"customer_id": c.customer_id, "kind": CustomerEventKind.GRADED.value,
                                          "member_id": None, "owner_from": c.owner_id, "owner_to": c.owner_id,
                                          "reason": c.reason[:200], "at": now,
                                          "detail": {"from": c.from_grade, "to": c.to_grade, "source": c.source}}
                                         for c in changes])


def _text(number) -> object:
    return cast(cast(func.round(number), BigInteger), String)


async def apply_first(session: AsyncSession, now: datetime) -> None:
    """Give every scored, ungraded customer (or one with a legacy label) the grade its quadrant says, in SQL.

    Three statements for any number of customers: history rows, `graded` events, then the grades.
    """
    valid = [g.value for g in Grade]
    due = (CS.c.skipped == "") & (CS.c.quadrant != "") & (func.coalesce(C.c.grade, "").not_in(valid))
    joined = C.join(CS, CS.c.customer_id == C.c.id)
    reason = (literal("首次分级：预计价值 ") + _text(CS.c.ltv) + literal(" 元，活跃度 ") + _text(CS.c.activity)
              + literal(" 分"))
    at = literal(now, UTCDateTime)
    await session.execute(insert(GH).from_select(
        ["customer_id", "at", "from_grade", "to_grade", "source", "reason", "inputs"],
        select(C.c.id, at, func.coalesce(C.c.grade, ""), CS.c.quadrant, literal("first"), reason,
               literal({}, JSON)).select_from(joined).where(due)))
    obj = func.json_build_object if dialect_of(session) == "postgresql" else func.json_object
    detail = obj("from", func.coalesce(C.c.grade, ""), "to", CS.c.quadrant, "source", "first")
    await session.execute(insert(CE).from_select(
        ["customer_id", "kind", "owner_from", "owner_to", "reason", "detail", "at"],
        select(C.c.id, literal(CustomerEventKind.GRADED.value), C.c.owner_id, C.c.owner_id, literal("首次分级"),
               detail, at).select_from(joined).where(due)))
    await session.execute(update(C).where(C.c.id == CS.c.customer_id, due).values(grade=CS.c.quadrant))  # UPDATE … FROM


async def dormant_since(session: AsyncSession) -> dict[int, datetime]:
    """Return when each customer was last made 休眠唤醒 by the dormant trigger."""
    stmt = select(GH.c.customer_id, func.max(GH.c.at)).where(GH.c.source == "dormant").group_by(GH.c.customer_id)
    return dict((await session.execute(stmt)).all())


async def add_run(session: AsyncSession, now: datetime, kind: str, model: dict, thresholds: dict,
                  counts: dict) -> None:
    """Record one run: the model's parameters, the thresholds used, what changed."""
    await session.execute(insert(table_of(GradingRun)).values(at=now, kind=kind, model=model, thresholds=thresholds,
                                                              counts=counts))


async def latest_run(session: AsyncSession) -> GradingRun | None:
    """Return the newest daily run."""
    stmt = (select(GradingRun).where(col(GradingRun.kind) == "daily")
            .order_by(col(GradingRun.at).desc(), col(GradingRun.id).desc()))
    return (await session.execute(stmt.limit(1))).scalars().first()


async def score_of(session: AsyncSession, customer_id: int) -> CustomerScore | None:
    """Return a customer's latest score."""
    return await session.get(CustomerScore, customer_id)


async def history_of(session: AsyncSession, customer_id: int, limit: int = 5) -> list[GradeHistory]:
    """Return a customer's latest grade changes, newest first."""
    stmt = select(GradeHistory).where(col(GradeHistory.customer_id) == customer_id)
    return list((await session.execute(stmt.order_by(col(GradeHistory.at).desc(), col(GradeHistory.id).desc())
                                       .limit(limit))).scalars())


async def find_customers(session: AsyncSession, text: str, owner_id: int | None, limit: int = 5) -> list[Customer]:
    """Return customers whose name contains `text` (the member's own first), at most `limit`."""
    stmt = select(Customer).where(col(Customer.name).contains(text, autoescape=True))
    rows = list((await session.execute(stmt.order_by(col(Customer.id)).limit(50))).scalars())
    exact = [c for c in rows if c.name == text]
    rows.sort(key=lambda c: (c.owner_id != owner_id, len(c.name)))
    return (exact or rows)[:limit]


async def grade_counts(session: AsyncSession, owner_id: int) -> dict[str, int]:
    """Return how many of a member's customers are in each grade."""
    stmt = select(C.c.grade, func.count()).where(C.c.owner_id == owner_id).group_by(C.c.grade)
    return {g or "": n for g, n in (await session.execute(stmt)).all()}
