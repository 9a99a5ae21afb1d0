"""Paged listings for the read API: one query per page, joins instead of per-row lookups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from sales.stages import stage_name
from storage.db import Database
from storage.models import Customer, Lead, Member, Opportunity, Task, Team
from storage.repos import dead_letters, readapi_history, scorecards


def _iso(value) -> str | None:
    return value.isoformat() if value else None


async def _rows(db: Database, stmt) -> list:
    async with db.sessions() as session:
        return (await session.execute(stmt)).all()


async def members(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Members with their team names."""
    stmt = (select(Member, Team.name).outerjoin(Team, Team.id == Member.team_id)
            .where(Member.id > after).order_by(Member.id).limit(limit))
    return [{"id": m.id, "name": m.name, "role": m.role, "team": t, "region": m.region,
             "industries": m.industries, "active": m.active} for m, t in await _rows(db, stmt)]


async def leads(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Leads with owner and customer names."""
    owner = aliased(Member)
    stmt = (select(Lead, owner.name, Customer.name).outerjoin(owner, owner.id == Lead.owner_id)
            .outerjoin(Customer, Customer.id == Lead.customer_id)
            .where(Lead.id > after).order_by(Lead.id).limit(limit))
    return [{"id": ld.id, "status": ld.status, "owner": o, "customer": c, "channel": ld.channel,
             "source": ld.source, "received_at": _iso(ld.received_at),
             "first_response_due_at": _iso(ld.first_response_due_at),
             "first_response_at": _iso(ld.first_response_at)} for ld, o, c in await _rows(db, stmt)]


async def opportunities(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Opportunities with the stage's Chinese name."""
    stmt = (select(Opportunity, Member.name, Customer.name).outerjoin(Member, Member.id == Opportunity.owner_id)
            .join(Customer, Customer.id == Opportunity.customer_id)
            .where(Opportunity.id > after).order_by(Opportunity.id).limit(limit))
    return [{"id": op.id, "customer": c, "stage": stage_name(op.stage), "status": op.status, "owner": o,
             "budget": op.budget_text, "budget_low": op.budget_low, "budget_high": op.budget_high,
             "created_at": _iso(op.created_at)} for op, o, c in await _rows(db, stmt)]


async def tasks(db: Database, after: int, limit: int) -> list[dict[str, Any]]:
    """Tasks with owner names."""
    stmt = (select(Task, Member.name).outerjoin(Member, Member.id == Task.owner_id)
            .where(Task.id > after).order_by(Task.id).limit(limit))
    return [{"id": t.id, "kind": t.kind, "title": t.title, "owner": o, "due_at": _iso(t.due_at),
             "done": t.done_at is not None} for t, o in await _rows(db, stmt)]


LISTINGS = {"members": members, "leads": leads, "opportunities": opportunities, "tasks": tasks,
            "orders": readapi_history.orders}
LISTINGS["dead_letters"] = dead_letters.listing
LISTINGS["scorecards"] = scorecards.api_listing
