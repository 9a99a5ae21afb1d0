"""Leads: intake lookups, distribution snapshots, the timeline and the first response (the SLA scan's queries:
storage/repos/lead_sla.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.vocab import OPEN_LEAD_STATUSES, OWNED_LEAD_STATUSES, LeadStatus
from sales.distribution import Rep, Rotation
from storage.models import Contact, Customer, IntakeMapping, Lead, LeadEvent, LeadRotation, Member
from storage.repos import lead_loads
from storage.repos._sql import pk_col, table_of

T = table_of(Lead)
E = table_of(LeadEvent)
OPEN = OPEN_LEAD_STATUSES
OWNED = OWNED_LEAD_STATUSES


async def get(session: AsyncSession, lead_id: int) -> Lead | None:
    """Load one lead."""
    return await session.get(Lead, lead_id)


async def by_intake_key(session: AsyncSession, key: str) -> Lead | None:
    """Find the lead an identical submission created."""
    return (await session.execute(select(Lead).where(col(Lead.intake_key) == key))).scalar_one_or_none()


async def find_customer(session: AsyncSession, mobile: str | None, external_userid: str,
                        company_key: str) -> Customer | None:
    """Find the customer by mobile, WeCom external userid, then normalized company name (all indexed)."""
    for column, value in ((col(Contact.mobile), mobile), (col(Contact.wecom_external_userid), external_userid)):
        if value:
            stmt = (select(Customer).join(Contact, col(Contact.customer_id) == Customer.id).where(column == value)
                    .limit(1))
            found = (await session.execute(stmt)).scalar_one_or_none()
            if found:
                return found
    if company_key:
        return (await session.execute(select(Customer).where(col(Customer.normalized_name) == company_key))
                ).scalar_one_or_none()
    return None


async def recent_lead_of(session: AsyncSession, customer_id: int, since: datetime) -> Lead | None:
    """Return the customer's newest lead received since `since` (the dedupe window)."""
    stmt = (select(Lead).where(col(Lead.customer_id) == customer_id, col(Lead.received_at) >= since)
            .order_by(col(Lead.received_at).desc(), col(Lead.id).desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def ensure_contact(session: AsyncSession, customer_id: int, name: str, mobile: str | None,
                         external_userid: str) -> None:
    """Add the contact to the customer unless that mobile / external userid is already there."""
    stmt = select(col(Contact.id)).where(col(Contact.customer_id) == customer_id)
    if mobile:
        stmt = stmt.where(col(Contact.mobile) == mobile)
    elif external_userid:
        stmt = stmt.where(col(Contact.wecom_external_userid) == external_userid)
    if (await session.execute(stmt.limit(1))).first() is None:
        session.add(Contact(customer_id=customer_id, name=name[:80], mobile=mobile or "",
                            wecom_external_userid=external_userid or None))


async def reps(session: AsyncSession, day_start: datetime) -> list[Rep]:
    """Snapshot every rep with open-lead and today's-new counts from their load counters (one query)."""
    return [rep for rep, is_rep in await lead_loads.snapshot(session, day_start) if is_rep]


async def rotations(session: AsyncSession) -> dict[str, Rotation]:
    """Return every pool's rotation state."""
    rows = (await session.execute(select(LeadRotation))).scalars()
    return {r.pool_key: Rotation(r.last_member_id, r.position) for r in rows}


async def save_rotation(session: AsyncSession, key: str, rot: Rotation) -> None:
    """Upsert one pool's rotation state."""
    await lead_loads.save_rotations(session, {key: rot})


async def cooled_many(session: AsyncSession, lead_ids: list[int], since: datetime) -> dict[int, set[int]]:
    """{lead: members it was reclaimed from since `since`} for many leads in one query."""
    stmt = select(E.c.lead_id, E.c.member_id).where(E.c.lead_id.in_(lead_ids), E.c.kind == "reclaimed",
                                                     E.c.at >= since)
    out: dict[int, set[int]] = {}
    for lead_id, member_id in (await session.execute(stmt)).all() if lead_ids else []:
        if member_id:
            out.setdefault(lead_id, set()).add(member_id)
    return out


async def cooled(session: AsyncSession, lead_id: int, since: datetime) -> set[int]:
    """Members this lead was reclaimed from since `since` (still cooling down)."""
    stmt = select(E.c.member_id).where(E.c.lead_id == lead_id, E.c.kind == "reclaimed", E.c.at >= since)
    return {m for m in (await session.execute(stmt)).scalars() if m}


async def add_event(session: AsyncSession, lead_id: int, kind: str, at: datetime, member_id: int | None = None,
                    note: str = "", data: dict[str, Any] | None = None) -> None:
    """Append one line to the lead's timeline."""
    await session.execute(E.insert().values(lead_id=lead_id, kind=kind, member_id=member_id, note=note[:300],
                                            data=data or {}, at=at))


async def timeline(session: AsyncSession, lead_id: int) -> list[tuple[str, datetime, str, str]]:
    """Return (kind, at, note, member name) for the lead, oldest first."""
    stmt = (select(E.c.kind, E.c.at, E.c.note, col(Member.name)).outerjoin(Member, col(Member.id) == E.c.member_id)
            .where(E.c.lead_id == lead_id).order_by(E.c.at, E.c.id))
    return [(k, a, n, m or "") for k, a, n, m in (await session.execute(stmt)).all()]


async def mapping(session: AsyncSession, channel: str) -> IntakeMapping | None:
    """Return the imported mapping pack of a channel."""
    return await session.get(IntakeMapping, channel)


async def save_mapping(session: AsyncSession, channel: str, pack: str, field_map: dict, default_source: str,
                       now: datetime) -> bool:
    """Store a mapping pack for a channel, replacing the previous one; True if it is new."""
    row = await session.get(IntakeMapping, channel)
    created = row is None
    if row is None:
        row = IntakeMapping(channel=channel, pack=pack)
    row.pack, row.field_map, row.default_source, row.imported_at = pack, field_map, default_source, now
    session.add(row)
    await session.flush()
    return created


async def stamp_first_response(session: AsyncSession, customer_id: int, kind: str, member_id: int | None,
                               at: datetime) -> list[int]:
    """Record the first response (跟进, stage change, WeCom contact) on the customer's open leads; return ids."""
    stmt = (update(T).where(T.c.customer_id == customer_id, T.c.first_response_at.is_(None),
                            T.c.status.in_(OPEN)).values(first_response_at=at).returning(T.c.id))
    ids = sorted((await session.execute(stmt)).scalars())
    for lead_id in ids:
        await add_event(session, lead_id, "first_response", at, member_id, kind)
    return ids


async def unaccepted(session: AsyncSession, cutoff: datetime, limit: int = 500) -> list[Lead]:
    """Assigned leads nobody accepted since before `cutoff` (to reclaim)."""
    stmt = (select(Lead).where(col(Lead.status) == LeadStatus.ASSIGNED, col(Lead.assigned_at) < cutoff,
                               col(Lead.accepted_at).is_(None))
            .order_by(col(Lead.assigned_at)).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def pooled(session: AsyncSession, limit: int = 200) -> list[Lead]:
    """Leads waiting in the pool for an owner, oldest first."""
    stmt = (select(Lead).where(col(Lead.status) == LeadStatus.NEW, col(Lead.owner_id).is_(None))
            .order_by(col(Lead.id)).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def team_managers(session: AsyncSession, member_ids: list[int]) -> dict[int, list[int]]:
    """Return {member: [their manager, else the managers of their team]} in two queries."""
    rows = (await session.execute(select(pk_col(Member.id), col(Member.manager_id), col(Member.team_id))
                                  .where(col(Member.id).in_(member_ids)))).all()
    teams = {t for _, _, t in rows if t}
    by_team: dict[int | None, list[int]] = {}
    if teams:
        mgrs = await session.execute(select(col(Member.team_id), pk_col(Member.id))
                                     .where(col(Member.role) == "manager", col(Member.team_id).in_(teams)))
        for team_id, mid in mgrs.all():
            by_team.setdefault(team_id, []).append(mid)
    return {mid: [boss] if boss else by_team.get(team, []) for mid, boss, team in rows}


async def admins(session: AsyncSession) -> list[int]:
    """Return the ids of active admins (they get warnings nobody else can take)."""
    stmt = select(pk_col(Member.id)).where(col(Member.role) == "admin", col(Member.active))
    return list((await session.execute(stmt)).scalars())


async def contacts_of(session: AsyncSession, customer_id: int) -> list[Contact]:
    """The customer's contacts, oldest first."""
    stmt = select(Contact).where(col(Contact.customer_id) == customer_id).order_by(col(Contact.id))
    return list((await session.execute(stmt)).scalars())
