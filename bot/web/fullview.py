"""The full view of a card `GET /v/{digest}`: the exact card a shortened message links to, on a phone.

Renderers link here (bot/web/viewlinks.py) when a platform's limits would cut a card; the page shows
every section, field, item and the footer, and the card's buttons as signed action links for the
person the link was made for. The link is signed and expires like every dashboard link.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.web.actionlinks import make_token
from bot.web.common import runtime
from bot.web.dash import verify
from bot.web.viewlinks import LINK_TTL
from cards.model import Card
from cards.render import mdbold
from storage.repos import card_views

_PAGES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                     autoescape=select_autoescape(["html"]))
_PAGES.filters["mdbold"] = mdbold


def setup(app: web.Application) -> None:
    """Register the full-view page."""
    app.router.add_get("/v/{digest:[0-9a-f]{32}}", full_view)


def page(card: Card, buttons: list[tuple[str, str, str]], acting: bool) -> str:
    """Render the full-view HTML of a card with its buttons as (label, url or "", style)."""
    return _PAGES.get_template("fullview.html").render(card=card, buttons=buttons, acting=acting)


async def full_view(request: web.Request) -> web.Response:
    """Show the stored card for a signed link; 404 with a friendly page when it is gone."""
    rt = runtime(request)
    now = rt.clock.now()
    params = verify(request, rt.settings, now)
    async with rt.db.sessions() as s:
        data = await card_views.load(s, request.match_info["digest"])
    if data is None:
        return web.Response(text=_gone(), status=404, content_type="text/html", charset="utf-8")
    card = Card.from_dict(data)
    platform, actor, chat = params.get("p", ""), params.get("u", ""), params.get("c", "")
    acting = bool(platform and actor and rt.settings.server.secret_key)
    buttons = [(b.label, _link(rt, platform, actor, b.action.pack(), chat, now) if acting else "", b.style)
               for b in card.buttons]
    return web.Response(text=page(card, buttons, acting), content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "private"})


def _link(rt, platform: str, actor: str, packed: str, chat: str, now) -> str:
    token = make_token(rt.settings.server.secret_key, platform, actor, packed, chat, now + LINK_TTL)
    return f"/a/{token}"


def _gone() -> str:
    return ('<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>卡片已过期</title>'
            '<main style="font-family:sans-serif;padding:16px"><h1>这张卡片已过期</h1>'
            '<p>回到聊天里重新发一次指令，就能拿到最新的卡片。</p></main>')
