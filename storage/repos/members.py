"""Members, teams and platform identities."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Identity, Member, Team
from storage.repos._sql import id_of

_BY_IDENTITY = select(Member).join(Identity, col(Identity.member_id) == Member.id).where(
    col(Identity.platform) == bindparam("platform"), col(Identity.platform_user_id) == bindparam("user_id"))


async def by_identity(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    """Resolve a platform user id to a member in one indexed lookup (the statement is built once)."""
    return (await session.execute(_BY_IDENTITY, {"platform": platform, "user_id": user_id})).scalar_one_or_none()


async def by_name(session: AsyncSession, name: str) -> Member | None:
    """Find a member by exact name."""
    return (await session.execute(select(Member).where(col(Member.name) == name))).scalar_one_or_none()


async def get(session: AsyncSession, member_id: int) -> Member | None:
    """Load one member."""
    return await session.get(Member, member_id)


async def team_by_name(session: AsyncSession, name: str, create: bool = False) -> Team | None:
    """Find a team, optionally creating it."""
    team = (await session.execute(select(Team).where(col(Team.name) == name))).scalar_one_or_none()
    if team is None and create:
        team = Team(name=name)
        session.add(team)
        await session.flush()
    return team


async def link_identity(session: AsyncSession, member_id: int, platform: str, user_id: str) -> None:
    """Point (platform, user_id) at a member, moving it if it pointed elsewhere."""
    stmt = select(Identity).where(col(Identity.platform) == platform, col(Identity.platform_user_id) == user_id)
    ident = (await session.execute(stmt)).scalar_one_or_none()
    if ident is None:
        session.add(Identity(platform=platform, platform_user_id=user_id, member_id=member_id))
    else:
        ident.member_id = member_id
    await session.flush()


async def identities_of(session: AsyncSession, member_ids: list[int]) -> dict[int, dict[str, str]]:
    """Return {member_id: {platform: user_id}} for many members in one query."""
    rows = await session.execute(select(Identity).where(col(Identity.member_id).in_(member_ids)))
    out: dict[int, dict[str, str]] = {}
    for ident in rows.scalars():
        out.setdefault(ident.member_id, {})[ident.platform] = ident.platform_user_id
    return out


async def listing(session: AsyncSession, after_id: int = 0, limit: int = 50) -> list[tuple[Member, str]]:
    """Page members by id with their team names."""
    stmt = (select(Member, col(Team.name)).outerjoin(Team, col(Team.id) == Member.team_id)
            .where(col(Member.id) > after_id).order_by(col(Member.id)).limit(limit))
    return [(m, t or "") for m, t in (await session.execute(stmt)).all()]


async def all_members(session: AsyncSession) -> list[Member]:
    """Return every member ordered by team and name (playground pickers)."""
    return list((await session.execute(select(Member).order_by(col(Member.team_id), col(Member.id)))).scalars())


async def all_teams(session: AsyncSession) -> list[Team]:
    """Return every team."""
    return list((await session.execute(select(Team).order_by(col(Team.id)))).scalars())


async def upsert(session: AsyncSession, name: str, fields: dict, team: str, identities: dict[str, str]) -> bool:
    """Create or update a member by name; link its identities (playground always). True if created."""
    member = await by_name(session, name)
    created = member is None
    if member is None:
        member = Member(name=name)
        session.add(member)
    team_row = await team_by_name(session, team, create=True) if team else None
    member.team_id = team_row.id if team_row else None
    for key, value in fields.items():
        setattr(member, key, value)
    await session.flush()
    member_id = id_of(member)
    for platform, user_id in {**identities, "playground": str(member_id)}.items():
        await link_identity(session, member_id, platform, user_id)
    return created


async def set_manager(session: AsyncSession, name: str, manager: str) -> None:
    """Point a member at their manager by name (after every row exists)."""
    member, boss = await by_name(session, name), await by_name(session, manager) if manager else None
    if member is not None:
        member.manager_id = boss.id if boss else None
        await session.flush()
