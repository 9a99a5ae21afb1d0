"""Signed action links (`GET /a/{token}`): card buttons on carriers that cannot call back.

A token packs the platform, the platform user the link acts for, the packed Action, the chat to
answer in and an expiry, signed with HMAC-SHA256 under `server.secret_key`. Opening it ingests a
`card_action` Event exactly like a platform button click; each link acts once (its dedupe key is
the token), so a link preview or a double tap cannot repeat the effect.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime

from aiohttp import web

from bot.core.actions import unpack
from bot.core.errors import ActionError, BadRequest, BadSignature
from bot.core.events import ChatRef, Event
from bot.web.pages import message

VERSION = 1
_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> bytes:
    return hmac.new(secret.encode(), f"actionlink.{body}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(secret: str, platform: str, actor: str, packed: str, chat: str, expires: datetime) -> str:
    """Sign an action for one platform user; the token is URL-safe."""
    fields = [VERSION, platform, actor, packed, chat, int(expires.timestamp())]
    body = _b64(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())
    return f"{body}.{_b64(_mac(secret, body))}"


def read_token(secret: str, token: str, now: datetime) -> tuple[str, str, str, str, bool]:
    """Return (platform, actor, packed, chat, expired); raise BadSignature if the token was not ours."""
    body, _, mac = token.partition(".")
    try:
        ok = hmac.compare_digest(_unb64(mac), _mac(secret, body))
        fields = json.loads(_unb64(body)) if ok else None
    except (ValueError, TypeError):
        ok, fields = False, None
    if not ok or not isinstance(fields, list) or len(fields) != 6 or fields[0] != VERSION:
        raise BadSignature("action link signature does not match (edited, or server.secret_key changed)")
    _, platform, actor, packed, chat, expires = fields
    return platform, actor, packed, chat, now.timestamp() > expires


def peek_action(token: str) -> str | None:
    """Return the packed Action a token carries WITHOUT checking its signature: for previews only, never to act."""
    try:
        fields = json.loads(_unb64(token.partition(".")[0]))
    except (ValueError, TypeError):
        return None
    if isinstance(fields, list) and len(fields) == 6 and fields[0] == VERSION and isinstance(fields[3], str):
        return fields[3]
    return None


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
    from bot.web.common import runtime

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

