"""`salesbot sync members --platform wecom`: read the department user list and link identities.

A WeCom user is linked to the member with the same mobile, else the same unambiguous name
(bot/platforms/syncing.py). Apps created after mid-2022 no longer receive mobiles from user/list, so
the name match carries most corps; users nobody matched are listed so an admin can fill wecom_userid
in the members CSV instead.
"""

from __future__ import annotations

from bot.config import Settings
from bot.core.clock import Clock
from bot.platforms.syncing import PlatformUser, SyncReport, link_members
from bot.platforms.wecom.extras.client import WecomClient
from storage.db import Database

ROOT_DEPARTMENT = 1


async def fetch_users(settings: Settings, db: Database, clock: Clock) -> list[PlatformUser]:
    """Return every user of the corp (root department and below) through the app's token."""
    client = WecomClient(settings.wecom, db, clock)
    try:
        data = await client.get("user/list", {"department_id": ROOT_DEPARTMENT, "fetch_child": 1})
    finally:
        await client.close()
    return [PlatformUser(str(u["userid"]), str(u.get("name") or ""), str(u.get("mobile") or ""))
            for u in data.get("userlist") or [] if isinstance(u, dict) and u.get("userid")]


async def sync_members(settings: Settings, db: Database, clock: Clock) -> SyncReport:
    """Link WeCom userids to members by mobile, then by an unambiguous name."""
    users = await fetch_users(settings, db, clock)
    return await link_members(db, SyncReport("wecom", "WeCom", "wecom_userid"), users)


async def cli_sync(settings: Settings, db: Database, clock: Clock) -> list[str]:
    """Run the sync for the command line; return the report lines."""
    return (await sync_members(settings, db, clock)).lines()
