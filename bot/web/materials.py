"""Tracked material links `GET /m/{token}`: log the customer's open as an interaction, then redirect.

bot/web/links.material_link builds them (activation plans, and any card that sends a material); the token
carries the customer, the rep who sent it, the material's address and title, and is signed like every
dashboard link (bot/web/dash.py), so an edited or expired link gets a friendly page (bot/web/pages.py)
instead of a redirect.
"""

from __future__ import annotations

import base64
import json

from aiohttp import web

from bot.core.vocab import InteractionKind
from bot.platforms.http import runtime
from bot.web.access import signed_link
from bot.web.pages import Refusal, message
from storage.models import Customer, Interaction


def setup(app: web.Application) -> None:
    """Add GET /m/{token}."""
    app.router.add_get("/m/{token}", open_material)


def _page(title: str, text: str, status: int) -> web.Response:
    return message(title, text, status)


def _payload(token: str) -> tuple[int, int | None, str, str] | None:
    """Decode the token's [customer, member, url, title], or None when it is not ours."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        return None
    ok = isinstance(data, list) and len(data) == 4 and isinstance(data[0], int) and isinstance(data[2], str)
    return (data[0], data[1] if isinstance(data[1], int) else None, data[2], str(data[3])) if ok else None


async def open_material(request: web.Request) -> web.Response:
    """Record the open (资料下载) for the customer, then send the browser on to the material."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        signed_link(request, rt.settings, now)
    except Refusal as exc:
        if exc.status == 410:
            return _page("资料链接已过期", "这个链接已经过了有效期，请联系给你发链接的销售要一个新的。", 410)
        return _page("链接不完整", "这个链接被改动过或没有复制完整，请从原消息里重新打开。", 403)
    payload = _payload(request.match_info["token"])
    if payload is None or not payload[2].startswith(("http://", "https://")):
        return _page("链接不完整", "这个链接被改动过或没有复制完整，请从原消息里重新打开。", 400)
    customer_id, member_id, url, title = payload
    async with rt.db.session() as s:
        if await s.get(Customer, customer_id) is None:
            return _page("资料已下线", "这份资料对应的客户档案已不存在，请联系发链接的销售。", 404)
        s.add(Interaction(customer_id=customer_id, member_id=member_id, kind=InteractionKind.DOWNLOAD.value,
                          note=f"打开资料：{title}"[:200], at=now))
    raise web.HTTPFound(url)
