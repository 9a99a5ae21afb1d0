"""The quarterly re-grade: propose from the quarter's numbers, let a manager approve or reject, apply only approvals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config.sales_sections import GradingConfig
from bot.core.lazy import library
from bot.core.vocab import Grade
from flows.grading import VALID, inputs_of, reason_of
from flows.grading_compute import compute
from storage.models import GradeProposal
from storage.repos import grade_reviews as repo
from storage.repos import grading
from storage.repos.grading import Change

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")


@dataclass
class Decided:
    """A proposal just decided: who to tell and what."""

    proposal: GradeProposal
    approved: bool


def quarter_before(at: datetime, tz: ZoneInfo) -> str:
    """Return the label of the quarter before the one `at` falls in, e.g. "2026Q3" for a date in October."""
    local = at.astimezone(tz)
    q = (local.month - 1) // 3
    return f"{local.year - 1}Q4" if q == 0 else f"{local.year}Q{q}"


async def propose(session: AsyncSession, cfg: GradingConfig, now: datetime, quarter: str) -> int:
    """Write a proposal for every graded customer whose numbers now point to another grade; return how many."""
    s = await compute(session, cfg, now)
    cur = s.rows.grade
    still_quiet = (cur == Grade.DORMANT.value) & (s.quiet_days >= cfg.dormant_days)
    moved = (s.skipped == "") & np.isin(cur, VALID) & (s.quadrant != cur) & ~still_quiet
    rows = [{"quarter": quarter, "customer_id": int(s.rows.ids[i]), "owner_id": s.rows.owner[i],
             "from_grade": str(cur[i]), "to_grade": str(s.quadrant[i]), "status": "pending", "decision_note": "",
             "reason": reason_of(s, i, str(s.quadrant[i]), False), "numbers": inputs_of(s, i), "created_at": now}
            for i in np.flatnonzero(moved).tolist()]  # plain ints for the helpers
    return await repo.add_proposals(session, quarter, rows)


async def approve(session: AsyncSession, member_id: int, team_id: int | None, everyone: bool, now: datetime,
                  ids: list[int] | None = None, quarter: str | None = None) -> list[Decided]:
    """Approve pending proposals in the manager's scope and apply exactly those grades."""
    rows = await repo.pending_rows(session, team_id, everyone, ids, quarter)
    if not rows:
        return []
    await repo.decide(session, [p.id for p in rows], "approved", member_id, "", now)
    current = await repo.current_grades(session, [p.customer_id for p in rows])
    await grading.apply_changes(session, [Change(p.customer_id, p.owner_id, current.get(p.customer_id, ""),
                                                 p.to_grade, "review", p.reason, p.numbers) for p in rows], now)
    return [Decided(p, True) for p in rows]


async def reject(session: AsyncSession, member_id: int, team_id: int | None, everyone: bool, now: datetime,
                 proposal_id: int, note: str) -> list[Decided]:
    """Reject one pending proposal with the manager's reason; the grade stays."""
    rows = await repo.pending_rows(session, team_id, everyone, [proposal_id])
    if rows:
        await repo.decide(session, [proposal_id], "rejected", member_id, note, now)
        rows[0].decision_note = note[:200]
    return [Decided(p, False) for p in rows]
