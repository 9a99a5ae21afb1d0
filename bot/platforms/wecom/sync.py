"""`salesbot sync members --platform wecom`: read the department user list and link identities.

A WeCom user is linked to the member with the same mobile, else the same name. Apps created after
mid-2022 no longer receive mobiles from user/list, so the name match carries most corps; members
nobody matched are listed so an admin can fill wecom_userid in the members CSV instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.platforms.wecom.client import WecomClient
from sales.names import normalize_mobile
from storage.db import Database
from storage.repos import members

ROOT_DEPARTMENT = 1


@dataclass
class SyncReport:
    """What a sync did."""

    linked: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"wecom: linked {self.linked}, already linked {self.unchanged}, unmatched {len(self.unmatched)}"]
        out += [f"  no member matches WeCom user {u} (same mobile or name); add wecom_userid to the members CSV"
                for u in self.unmatched[:100]]
        return out


async def fetch_users(settings: Settings, db: Database, clock: Clock) -> list[dict]:
    """Return every user of the corp (root department and below) through the app's token."""
    client = WecomClient(settings.wecom, db, clock)
    try:
        data = await client.get("user/list", {"department_id": ROOT_DEPARTMENT, "fetch_child": 1})
    finally:
        await client.close()
    return [u for u in data.get("userlist") or [] if isinstance(u, dict) and u.get("userid")]


async def sync_members(settings: Settings, db: Database, clock: Clock) -> SyncReport:
    """Link WeCom userids to members by mobile, then by name."""
    users = await fetch_users(settings, db, clock)
    report = SyncReport()
    async with db.session() as s:
        everyone = await members.all_members(s)
        by_mobile = {normalize_mobile(m.mobile): m for m in everyone if normalize_mobile(m.mobile)}
        by_name = {m.name: m for m in everyone}
        linked = await members.identities_of(s, [m.id for m in everyone])
        for user in users:
            mobile = normalize_mobile(str(user.get("mobile") or ""))
            member = (by_mobile.get(mobile) if mobile else None) or by_name.get(str(user.get("name") or ""))
            if member is None:
                report.unmatched.append(str(user["userid"]))
            elif linked.get(member.id, {}).get("wecom") == user["userid"]:
                report.unchanged += 1
            else:
                await members.link_identity(s, member.id, "wecom", str(user["userid"]))
                report.linked += 1
    return report


async def cli_sync(settings: Settings, db: Database) -> list[str]:
    """Run the sync for the command line; return the report lines."""
    from bot.clock import SystemClock

    return (await sync_members(settings, db, SystemClock())).lines()
