"""The Feishu workbench entry `GET /feishu/workbench`: web-app login, then the member's own page.

Set the web app's desktop and mobile homepage to <public_url>/feishu/workbench. The page asks Feishu for a
login code (h5sdk `tt.requestAccess`, falling back to `tt.requestAuthCode`) and opens
/feishu/workbench/login?code=…, which exchanges it (POST /open-apis/authen/v1/oidc/access_token with the app
access token from /open-apis/auth/v3/app_access_token/internal), reads the open_id
(GET /open-apis/authen/v1/user_info) and redirects to the member's signed page.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web

from bot.core.links import me_link
from bot.platforms.http import runtime
from bot.web.pages import message, render
from storage.repos import members

JSSDK = "https://lf1-cdn-tos.bytegoofy.com/goofy/lark/op/h5-js-sdk-1.5.26.js"
TIMEOUT = aiohttp.ClientTimeout(total=10)


def setup(app: web.Application) -> None:
    """Register the entry and its login step."""
    app.router.add_get("/feishu/workbench", entry)
    app.router.add_get("/feishu/workbench/login", login)


async def entry(request: web.Request) -> web.Response:
    """A page that gets the login code inside Feishu and comes back with it."""
    app_id = runtime(request).settings.feishu.app_id
    return render("workbench_entry.html", title="我的今日", platform="feishu", sdk=JSSDK, app=app_id)


async def _post(http: aiohttp.ClientSession, url: str, body: dict, token: str = "") -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(url, json=body, headers=headers) as resp:
        return await resp.json(content_type=None)


async def open_id_for(base: str, app_id: str, app_secret: str, code: str) -> str:
    """Exchange a web-app login code for the person's open_id ("" when Feishu refuses the code)."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        app = await _post(http, f"{base}/open-apis/auth/v3/app_access_token/internal",
                          {"app_id": app_id, "app_secret": app_secret})
        user = await _post(http, f"{base}/open-apis/authen/v1/oidc/access_token",
                           {"grant_type": "authorization_code", "code": code}, str(app.get("app_access_token", "")))
        token = str((user.get("data") or {}).get("access_token") or "")
        if not token:
            return ""
        async with http.get(f"{base}/open-apis/authen/v1/user_info",
                            headers={"Authorization": f"Bearer {token}"}) as resp:
            info = await resp.json(content_type=None)
    return str((info.get("data") or {}).get("open_id") or "")


async def login(request: web.Request) -> web.Response:
    """Code → open_id → member → their page (a spent or forged code is refused)."""
    rt = runtime(request)
    cfg = rt.settings.feishu
    code = request.query.get("code", "")
    if not code:
        return message("打不开", "链接里没有登录码：从飞书工作台重新打开", 404)
    try:
        open_id = await open_id_for(cfg.api_base.rstrip("/"), cfg.app_id, cfg.app_secret, code)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return message("登录失败", "飞书暂时没有回应，请稍后从工作台重新打开", 502)
    if not open_id:
        return message("登录失败", "登录码无效或已用过：从飞书工作台重新打开", 403)
    async with rt.db.sessions() as s:
        member = await members.by_identity(s, "feishu", open_id)
    if member is None:
        return message("还没有关联成员",
                       "这个飞书账号还没有关联成员：请管理员运行 salesbot sync members --platform feishu",
                       404)
    page = me_link(rt.settings, member.id, rt.clock.now())
    raise web.HTTPSeeOther("/" + page.split("://", 1)[-1].partition("/")[2])
