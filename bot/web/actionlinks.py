"""Signed action links (`GET /a/{token}`): card buttons on carriers that cannot call back.

A token packs the platform, the platform user the link acts for, the packed Action, the chat to
answer in and an expiry, signed with HMAC-SHA256 under `server.secret_key`. Opening it ingests a
`card_action` Event exactly like a platform button click; each link acts once (its dedupe key is
the token), so a link preview or a double tap cannot repeat the effect.
"""

from __future__ import annotations

import hashlib

from aiohttp import web

from bot.core.errors import ActionError, BadRequest, BadSignature
from bot.core.events import ChatRef, Event
from bot.core.packing import unpack
from bot.core.signing import read_token
from bot.platforms.http import runtime
from bot.web.pages import message


def link_event(token: str, platform: str, actor: str, packed: str, chat: str) -> Event:
    """Build the card_action Event a link stands for."""
    try:
        action = unpack(packed)
    except ActionError as exc:
        raise BadRequest(str(exc), {"token": "not a salesbot action"}) from exc
    ref = ChatRef(platform, chat, chat.startswith(("group:", "webhook:")), {"sender": actor, "via": "link"}) \
        if chat else None
    key = "link:" + hashlib.sha256(token.encode()).hexdigest()[:40]
    return Event(platform, "card_action", key, actor or None, ref, action=action, raw={"via": "action_link"})


def _page(title: str, text: str, status: int = 200) -> web.Response:
    return message(title, text, status)


async def open_link(request: web.Request) -> web.Response:
    """Perform the linked action once and show a tiny result page."""
    rt = runtime(request)
    token = request.match_info["token"]
    try:
        platform, actor, packed, chat, expired = read_token(rt.settings.server.secret_key, token, rt.clock.now())
    except BadSignature:
        return _page("按钮无效", "这个按钮的链接被改动过或不完整，请在聊天里重新发指令拿新卡片。", 403)
    if expired:
        return _page("按钮已过期", "这张卡片太旧了，请在聊天里重新发指令拿新卡片。", 410)
    stored = await rt.dispatcher.ingest(link_event(token, platform, actor, packed, chat))
    if not stored.new:
        return _page("已经点过了", "这个按钮只生效一次，结果已发到聊天里。")
    return _page("收到", "正在处理，结果会发到聊天里，可以关掉这个页面了。")


def setup(app: web.Application) -> None:
    """Add GET /a/{token}."""
    app.router.add_get("/a/{token}", open_link)

