"""Paged listings for the read API: one query per page, joins instead of per-row lookups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import col

from sales.stages import stage_name
from storage.db import Database
from storage.models import Customer, Lead, Member, Opportunity, Task, Team
from storage.repos import dead_letters, readapi_history, scorecards


def _iso(value) -> str | None:
    return value.isoformat() if value else None


async def _rows(db: Database, stmt) -> Sequence[Any]:
    async with db.sessions() as session:
        return (await session.execute(stmt)).all()


async def members(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Members with their team names."""
    stmt = (select(Member, col(Team.name)).outerjoin(Team, col(Team.id) == Member.team_id)
            .where(col(Member.id) > after).order_by(col(Member.id)).limit(limit))
    return [{"id": m.id, "name": m.name, "role": m.role, "team": t, "region": m.region,
             "industries": m.industries, "active": m.active} for m, t in await _rows(db, stmt)]


async def leads(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Leads with owner and customer names."""
    owner = aliased(Member)
    stmt = (select(Lead, col(owner.name), col(Customer.name)).outerjoin(owner, col(owner.id) == Lead.owner_id)
            .outerjoin(Customer, col(Customer.id) == Lead.customer_id)
            .where(col(Lead.id) > after).order_by(col(Lead.id)).limit(limit))
    return [{"id": ld.id, "status": ld.status, "owner": o, "customer": c, "channel": ld.channel,
             "source": ld.source, "received_at": _iso(ld.received_at),
             "first_response_due_at": _iso(ld.first_response_due_at),
             "first_response_at": _iso(ld.first_response_at)} for ld, o, c in await _rows(db, stmt)]


async def opportunities(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Opportunities with the stage's Chinese name."""
    stmt = (select(Opportunity, col(Member.name), col(Customer.name))
            .outerjoin(Member, col(Member.id) == Opportunity.owner_id)
            .join(Customer, col(Customer.id) == Opportunity.customer_id)
            .where(col(Opportunity.id) > after).order_by(col(Opportunity.id)).limit(limit))
    return [{"id": op.id, "customer": c, "stage": stage_name(op.stage), "status": op.status, "owner": o,
             "budget": op.budget_text, "budget_low": op.budget_low, "budget_high": op.budget_high,
             "created_at": _iso(op.created_at)} for op, o, c in await _rows(db, stmt)]


async def tasks(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Tasks with owner names."""
    stmt = (select(Task, col(Member.name)).outerjoin(Member, col(Member.id) == Task.owner_id)
            .where(col(Task.id) > after).order_by(col(Task.id)).limit(limit))
    return [{"id": t.id, "kind": t.kind, "title": t.title, "owner": o, "due_at": _iso(t.due_at),
             "done": t.done_at is not None} for t, o in await _rows(db, stmt)]


LISTINGS = {"members": members, "leads": leads, "opportunities": opportunities, "tasks": tasks,
            "orders": readapi_history.orders}
LISTINGS["dead_letters"] = dead_letters.listing
LISTINGS["scorecards"] = scorecards.api_listing
