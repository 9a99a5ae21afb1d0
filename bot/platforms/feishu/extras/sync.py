"""`salesbot sync members --platform feishu`: read the contact directory and link open_ids to members.

The department tree comes from `GET /open-apis/contact/v3/departments/0/children?fetch_child=true` and
each department's direct users from `GET /open-apis/contact/v3/users/find_by_department`, both paged by
page_token (at most 50 a page) with the tenant_access_token of bot/platforms/feishu/api.py, on
settings.feishu.api_base. The open_id is what events and card clicks carry, so it is the identity we
link; the match itself (mobile, then an unambiguous name) is bot/platforms/syncing.py. Mobiles come only
with the contact:user.phone:readonly scope; the app's 通讯录权限范围 decides whom it can see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from bot.core.errors import DeliveryError, UserError
from bot.platforms.feishu.api import FeishuAPI
from bot.platforms.syncing import PlatformUser, SyncReport, link_members

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from storage.db import Database

ROOT_DEPARTMENT = "0"
PAGE = 50  # the most either endpoint returns a page
MAX_PAGES = 2000  # a guard against a page_token that never ends
IDS = {"user_id_type": "open_id", "department_id_type": "open_department_id"}
FIX = ("grant the app contact:contact.base:readonly (and contact:user.phone:readonly for mobiles), set its "
       "通讯录权限范围 to 全部成员, and publish a new version")


class Contacts:
    """The contact v3 directory through one FeishuAPI (token cached and renewed there)."""

    def __init__(self, api: FeishuAPI) -> None:
        self.api = api

    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict]:
        """Yield the items of every page of a page_token-paged GET."""
        token = ""
        for _ in range(MAX_PAGES):
            query = {**params, **IDS, "page_size": PAGE, **({"page_token": token} if token else {})}
            data = (await self.api.call("GET", path, params=query)).get("data") or {}
            for item in data.get("items") or []:
                if isinstance(item, dict):
                    yield item
            token = str(data.get("page_token") or "")
            if not data.get("has_more") or not token:
                return

    async def departments(self) -> list[str]:
        """Every visible department's open_department_id, the root first."""
        found = [ROOT_DEPARTMENT]
        async for dept in self._pages(f"/open-apis/contact/v3/departments/{ROOT_DEPARTMENT}/children",
                                      {"fetch_child": "true"}):
            dept_id = str(dept.get("open_department_id") or "")
            if dept_id and dept_id not in found:
                found.append(dept_id)
        return found

    async def users(self, dept_id: str) -> list[dict]:
        """The direct users of one department, leavers left out."""
        return [u async for u in self._pages("/open-apis/contact/v3/users/find_by_department",
                                             {"department_id": dept_id})
                if u.get("open_id") and not (u.get("status") or {}).get("is_resigned")]


async def fetch_users(settings: Settings) -> list[PlatformUser]:
    """Return every visible user once, whatever number of departments they are in."""
    api = FeishuAPI(settings.feishu)
    contacts = Contacts(api)
    users: dict[str, PlatformUser] = {}
    try:
        for dept in await contacts.departments():
            for u in await contacts.users(dept):
                users.setdefault(str(u["open_id"]), PlatformUser(
                    str(u["open_id"]), str(u.get("name") or ""), str(u.get("mobile") or "")))
    except DeliveryError as exc:
        raise UserError(f"could not read the Feishu contacts: {exc}. To fix: {FIX}") from None
    finally:
        await api.close()
    return list(users.values())


async def sync_members(settings: Settings, db: Database) -> SyncReport:
    """Link Feishu open_ids to members by mobile, then by an unambiguous name."""
    users = await fetch_users(settings)
    return await link_members(db, SyncReport("feishu", "Feishu", "feishu_open_id"), users)


async def cli_sync(settings: Settings, db: Database, clock: Clock) -> list[str]:
    """Run the sync for the command line; return the report lines (Feishu's client keeps its own time)."""
    return (await sync_members(settings, db)).lines()
