"""The one mobile page base: every dashboard page renders through here (templates/base.html + page.css).

The base gives each page the viewport meta, a width that never overflows a 375 px phone, a red-framed alarm
line (`alarm=`) and the `.red` class for anomalous numbers. Refusals (expired, tampered, someone else's
link) and "not enough data yet" are pages of the same base, never JSON or an empty chart.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

ENV = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                  autoescape=select_autoescape(["html"]))
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}


class Refusal(Exception):
    """A page the viewer may not see: the status (403/410), what happened and how to get a good link."""

    def __init__(self, status: int, title: str, text: str, fix: str = "在聊天里重新发指令，拿一张新卡片再点。") -> None:
        super().__init__(text)
        self.status, self.title, self.text, self.fix = status, title, text, fix


def html(template: str, **values: Any) -> str:
    """Render a page template to HTML (platform routes reach it as `app[PAGE]`, bot/platforms/http.py)."""
    return ENV.get_template(template).render(**values)


def render(template: str, http_status: int = 200, **values) -> web.Response:
    """Render a page template (which extends base.html) into a private HTML response."""
    text = html(template, **values)
    return web.Response(text=text, status=http_status, content_type="text/html", charset="utf-8", headers=HEADERS)


def refusal_page(exc: Refusal) -> web.Response:
    """The friendly refusal page for a Refusal."""
    return render("refusal.html", exc.status, title=exc.title, text=exc.text, fix=exc.fix)


def message(title: str, text: str, http_status: int = 200) -> web.Response:
    """A one-sentence page (a button's result, a link that cannot open): red-framed when it is a refusal."""
    return render("message.html", http_status, title=title, text=text, refused=http_status >= 400)


def not_enough(title: str, text: str) -> web.Response:
    """The "数据还不够" page an empty team or a new company gets instead of empty charts."""
    return render("not_enough.html", title=title, text=text)


def stamp(now: datetime, tz: tzinfo) -> str:
    """Say when the page was computed, in org time ("12-06 09:30")."""
    return now.astimezone(tz).strftime("%m-%d %H:%M")
