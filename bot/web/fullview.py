"""The full view of a card `GET /v/{digest}`: the exact card a shortened message links to, on a phone.

Renderers link here (bot/core/viewlinks.py) when a platform's limits would cut a card; the page shows
every section, field, item and the footer, and the card's buttons as signed action links for the
person the link was made for. The link is signed and expires like every dashboard link (bot/web/access.py);
a tampered one answers a friendly 403 page, an expired one 410, a card no longer stored 404 — pages of the
one page base (bot/web/pages.py). The link is bound to the platform user (`u`) the card was sent to, not to
a member: the action tokens on the buttons act as that user.
"""

from __future__ import annotations

from aiohttp import web

from bot.core.cards import Card
from bot.core.signing import make_token
from bot.core.viewlinks import LINK_TTL
from bot.platforms.http import runtime
from bot.web.access import open_page
from bot.web.pages import ENV, HEADERS, Refusal, refusal_page
from cards.render import mdbold
from storage.repos import card_views

ENV.filters["mdbold"] = mdbold
_UNSIGNED = Refusal(403, "链接无效", "这个链接不完整，打不开。")
_GONE = Refusal(404, "这张卡片已过期", "这张卡片已不在了。", "回到聊天里重新发一次指令，就能拿到最新的卡片。")


def setup(app: web.Application) -> None:
    """Register the full-view page."""
    app.router.add_get("/v/{digest:[0-9a-f]{32}}", full_view)


def page(card: Card, buttons: list[tuple[str, str, str]], acting: bool) -> str:
    """Render the full-view HTML of a card with its buttons as (label, url or "", style)."""
    return ENV.get_template("fullview.html").render(card=card, buttons=buttons, acting=acting, title=card.title)


async def full_view(request: web.Request) -> web.Response:
    """Show the stored card for a signed link; a friendly refusal page for a bad, expired or gone one."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        if "sig" not in request.query:  # the buttons act as `u`: only a signed link may name them
            raise _UNSIGNED
        async with rt.db.sessions() as s:
            params = (await open_page(request, s, rt.settings, now)).params
            data = await card_views.load(s, request.match_info["digest"])
        if data is None:
            raise _GONE
    except Refusal as exc:
        return refusal_page(exc)
    card = Card.from_dict(data)
    platform, actor, chat = params.get("p", ""), params.get("u", ""), params.get("c", "")
    acting = bool(platform and actor and rt.settings.server.secret_key)
    buttons = [(b.label, _link(rt, platform, actor, b.action.pack(), chat, now) if acting else "", b.style)
               for b in card.buttons]
    return web.Response(text=page(card, buttons, acting), content_type="text/html", charset="utf-8",
                        headers=HEADERS)


def _link(rt, platform: str, actor: str, packed: str, chat: str, now) -> str:
    token = make_token(rt.settings.server.secret_key, platform, actor, packed, chat, now + LINK_TTL)
    return f"/a/{token}"

