"""Platform login for pages opened from the workbench: `GET /dash/login/{platform}?code=…&state=/dash/…`.

The platform's OAuth redirect brings a one-time code; bot/platforms/<p>/oauth.py turns it into the platform
user id, the identity table into a member, and a signed session cookie (bot/web/access.py) lets the member
open the page named in `state` (a /dash/ path) and any other page their role allows, for SESSION_TTL.
"""

from __future__ import annotations

from aiohttp import web

from bot.core.errors import DeliveryError
from bot.platforms.dingtalk.extras import oauth as dingtalk_oauth
from bot.platforms.feishu.extras import oauth as feishu_oauth
from bot.platforms.http import runtime
from bot.platforms.wecom.extras import oauth as wecom_oauth
from bot.web.access import COOKIE, SESSION_TTL, session_value
from bot.web.pages import Refusal, refusal_page
from storage.repos import members

EXCHANGES = {"wecom": wecom_oauth.user_from_code, "dingtalk": dingtalk_oauth.user_from_code,
             "feishu": feishu_oauth.user_from_code}


def setup(app: web.Application) -> None:
    """Register the login route."""
    app.router.add_get("/dash/login/{platform}", login)


def _next(state: str) -> str:
    """Only our own dashboard pages may be the target (no open redirect)."""
    ok = (state.startswith("/dash/") and not state.startswith("/dash/login") and "//" not in state
          and "\\" not in state and state.isascii() and state.isprintable() and " " not in state)
    return state if ok else "/dash/me"


AGAIN = "请回到工作台重新点一次。"


async def _member_for(rt, platform: str, code: str):
    """Return the active member the code logs in, or raise Refusal saying what went wrong."""
    exchange, api = EXCHANGES.get(platform), rt.apis.get(platform)
    if exchange is None or api is None:
        raise Refusal(403, "无法登录", f"“{platform}”平台没有开启，不能从它登录。", "请从聊天卡片里的链接打开页面。")
    if not code:
        raise Refusal(403, "无法登录", "登录信息不完整（缺少 code）。", AGAIN)
    try:
        user = await exchange(api, code)
    except DeliveryError:
        raise Refusal(403, "登录失败", "平台没有确认你的身份（登录码无效或已用过）。", AGAIN) from None
    async with rt.db.sessions() as s:
        member = await members.by_identity(s, platform, user)
    if member is None or not member.active:
        raise Refusal(403, "还不是成员", "你的账号还没有加入销售助手的成员名单。", "请管理员导入成员或同步通讯录。")
    return member


async def login(request: web.Request) -> web.Response:
    """Exchange the code, find the member, set the session cookie and go to the page."""
    rt = runtime(request)
    try:
        member = await _member_for(rt, request.match_info["platform"], request.query.get("code", ""))
    except Refusal as exc:
        return refusal_page(exc)
    expires = rt.clock.now() + SESSION_TTL
    resp = web.HTTPFound(_next(request.query.get("state", "")))
    resp.set_cookie(COOKIE, session_value(rt.settings.server.secret_key, member.id, expires), path="/dash",
                    httponly=True, samesite="Lax", max_age=int(SESSION_TTL.total_seconds()),
                    secure=rt.settings.server.public_url.startswith("https://"))
    raise resp
