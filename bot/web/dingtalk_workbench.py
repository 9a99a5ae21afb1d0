"""The DingTalk workbench entry `GET /dingtalk/workbench`: in-app login, then the member's own page.

Set the H5 micro-app's homepage to <public_url>/dingtalk/workbench. The page asks DingTalk for a login
code (dd.runtime.permission.requestAuthCode, corpId = [dingtalk] corp_id) and opens
/dingtalk/workbench/login?code=…, which reads the userid (POST {oapi_base}/topapi/v2/user/getuserinfo) and
redirects to the member's signed page, where today's items can be done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from aiohttp import web

from bot.core.errors import DeliveryError
from bot.core.links import me_link
from bot.platforms.http import runtime
from bot.web.pages import message, render
from storage.repos import members

if TYPE_CHECKING:
    from bot.platforms.dingtalk.api import DingTalkAPI

JSAPI = "https://g.alicdn.com/dingding/dingtalk-jsapi/3.0.25/dingtalk.open.js"


def setup(app: web.Application) -> None:
    """Register the entry and its login step."""
    app.router.add_get("/dingtalk/workbench", entry)
    app.router.add_get("/dingtalk/workbench/login", login)


async def entry(request: web.Request) -> web.Response:
    """A page that gets the login code inside DingTalk and comes back with it."""
    corp = runtime(request).settings.dingtalk.corp_id
    if not corp:
        return message("打不开", "钉钉工作台入口还没配置：在 [dingtalk] corp_id 填上组织的 CorpId", 404)
    return render("workbench_entry.html", title="我的今日", platform="dingtalk", sdk=JSAPI, app=corp)


async def login(request: web.Request) -> web.Response:
    """Code → userid → member → their page (a spent or forged code is refused)."""
    rt = runtime(request)
    api = cast("DingTalkAPI | None", rt.apis.get("dingtalk"))  # the DingTalk client, when DingTalk is on
    code = request.query.get("code", "")
    if api is None or not code:
        return message("打不开", "钉钉没有开启，或链接里没有登录码：从钉钉工作台重新打开", 404)
    url = f"{rt.settings.dingtalk.oapi_base}/topapi/v2/user/getuserinfo?access_token={quote(await api.access_token())}"
    try:
        data = await api.request("POST", url, {"code": code})
    except DeliveryError:
        return message("登录失败", "登录码无效：从钉钉工作台重新打开", 403)
    userid = str((data.get("result") or {}).get("userid") or "")
    if data.get("errcode") or not userid:
        return message("登录失败", "登录码无效或已用过：从钉钉工作台重新打开", 403)
    async with rt.db.sessions() as s:
        member = await members.by_identity(s, "dingtalk", userid)
    if member is None:
        return message("还没有关联成员",
                       "这个钉钉账号还没有关联成员：请管理员运行 salesbot sync members --platform dingtalk",
                       404)
    page = me_link(rt.settings, member.id, rt.clock.now())
    raise web.HTTPSeeOther("/" + page.split("://", 1)[-1].partition("/")[2])
