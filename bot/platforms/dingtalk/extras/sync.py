"""`salesbot sync members --platform dingtalk`: read the company's users and link identities.

Departments are walked from the root (`topapi/v2/department/listsubid`), each one's users read in
pages of 100 (`topapi/v2/user/list`), on `oapi_base` with a gettoken access token. A DingTalk user is
linked to the member with the same mobile, else the same unambiguous name (bot/platforms/syncing.py);
the userid is what robot messages carry as senderStaffId. Mobiles come only with the app's 通讯录手机号
permission, so without it names carry the match; users nobody matched are listed for the members CSV
(dingtalk_userid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from bot.core.errors import DeliveryError, UserError
from bot.platforms.dingtalk.api import DingTalkAPI
from bot.platforms.syncing import PlatformUser, SyncReport, link_members

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from storage.db import Database

ROOT_DEPARTMENT = 1
PAGE = 100  # topapi/v2/user/list takes at most 100 a page
MAX_DEPARTMENTS = 5000  # a guard against a cycle in a broken tree


class Directory:
    """The old-style contacts API (oapi_base, ?access_token=)."""

    def __init__(self, api: DingTalkAPI) -> None:
        self.api, self.token = api, ""

    async def call(self, path: str, body: dict) -> dict:
        """POST to an oapi path; a non-zero errcode says which permission is missing."""
        cfg = self.api.cfg
        if not self.token:
            data = await self.api.request("GET", f"{cfg.oapi_base}/gettoken?appkey={quote(cfg.client_id)}"
                                          f"&appsecret={quote(cfg.client_secret)}", None)
            if data.get("errcode") or not data.get("access_token"):
                raise UserError(f"DingTalk gettoken failed ({data.get('errmsg')}); check [dingtalk] client_id/secret")
            self.token = str(data["access_token"])
        data = await self.api.request("POST", f"{cfg.oapi_base}{path}?access_token={quote(self.token)}", body)
        if data.get("errcode"):
            raise UserError(f"DingTalk {path} answered errcode {data['errcode']} ({data.get('errmsg')}); grant "
                            "the app the contacts read permissions (通讯录只读, 成员信息读权限) for the whole company")
        return data.get("result") or {}

    async def departments(self) -> list[int]:
        """Every department id, the root first."""
        found, queue = [ROOT_DEPARTMENT], [ROOT_DEPARTMENT]
        while queue and len(found) < MAX_DEPARTMENTS:
            subs = (await self.call("/topapi/v2/department/listsubid", {"dept_id": queue.pop(0)})).get("dept_id_list")
            fresh = [int(d) for d in subs or [] if int(d) not in found]
            found += fresh
            queue += fresh
        return found

    async def users(self, dept_id: int) -> list[dict]:
        """The users of one department (not its children), page by page."""
        out, cursor = [], 0
        while True:
            page = await self.call("/topapi/v2/user/list", {"dept_id": dept_id, "cursor": cursor, "size": PAGE})
            out += [u for u in page.get("list") or [] if isinstance(u, dict) and u.get("userid")]
            if not page.get("has_more"):
                return out
            cursor = int(page.get("next_cursor") or 0)


async def fetch_users(settings: Settings, clock: Clock) -> list[dict]:
    """Return every user of the company once, whatever number of departments they are in."""
    api = DingTalkAPI(settings.dingtalk, clock)
    directory = Directory(api)
    users: dict[str, dict] = {}
    try:
        for dept in await directory.departments():
            for user in await directory.users(dept):
                users.setdefault(str(user["userid"]), user)
    except DeliveryError as exc:
        raise UserError(f"could not read the DingTalk contacts: {exc}") from None
    finally:
        await api.close()
    return list(users.values())


async def sync_members(settings: Settings, db: Database, clock: Clock) -> SyncReport:
    """Link DingTalk userids to members by mobile, then by an unambiguous name."""
    users = [PlatformUser(str(u["userid"]), str(u.get("name") or ""), str(u.get("mobile") or ""))
             for u in await fetch_users(settings, clock)]
    return await link_members(db, SyncReport("dingtalk", "DingTalk", "dingtalk_userid"), users)


async def cli_sync(settings: Settings, db: Database, clock: Clock) -> list[str]:
    """Run the sync for the command line; return the report lines."""
    return (await sync_members(settings, db, clock)).lines()
