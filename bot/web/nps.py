"""The customer satisfaction survey `GET/POST /nps/{token}`: one 0–10 question and a comment, phone-sized.

The token is `<survey id>.<expiry>.<HMAC>` under `server.secret_key`. A tampered, expired or reused link gets a
friendly page of the one page base (bot/web/pages.py) and records nothing;
an answer is stored once (the UPDATE only takes an unanswered survey).
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.config import Settings
from bot.core.checks import as_id, same_secret
from bot.platforms.http import runtime
from bot.web.pages import render
from flows.scorecard_links import nps_mac
from storage.repos import nps as repo

MAX_COMMENT = 500
_SAY = {"thanks": ("感谢您的评价！", "我们已经收到，会认真改进。"),
        "done": ("已经收到过您的评价", "每位客户只需评价一次，感谢您的支持。"),
        "expired": ("这份调查已经结束", "链接已过有效期，不用再填写了。感谢您的关注！"),
        "bad": ("链接打不开", "这个链接不完整或已被修改。请用我们发给您的原始链接打开。")}


def setup(app: web.Application) -> None:
    """Register the survey routes."""
    app.router.add_get("/nps/{token}", survey_page)
    app.router.add_post("/nps/{token}", survey_answer)


def _parse(settings: Settings, token: str, now: datetime) -> tuple[int | None, str]:
    """Return (survey id, "") for a good token, else (None, the friendly reason)."""
    parts = token.split(".")
    sid, exp = (as_id(parts[0]), as_id(parts[1])) if len(parts) == 3 else (None, None)
    if sid is None or exp is None:
        return None, "bad"
    if not same_secret(parts[2], nps_mac(settings, sid, exp)):
        return None, "bad"
    if now.timestamp() > exp:
        return None, "expired"
    return sid, ""


def _page(state: str, status: int = 200, customer: str = "", **values) -> web.Response:
    title, text = _SAY.get(state, (f"{customer}，您好！", ""))
    return render("nps.html", status, state=state, title=title, text=text, **values)


async def survey_page(request: web.Request) -> web.Response:
    """Show the question, or a friendly page for a link that cannot be answered."""
    rt = runtime(request)
    sid, why = _parse(rt.settings, request.match_info["token"], rt.clock.now())
    if sid is None:
        return _page(why, 410 if why == "expired" else 404)
    async with rt.db.sessions() as s:
        found = await repo.get(s, sid)
    if found is None:
        return _page("bad", 404)
    survey, customer = found
    if survey.answered_at is not None:
        return _page("done")
    return _page("ask", customer=customer, scores=range(11))


async def survey_answer(request: web.Request) -> web.Response:
    """Record one answer; a second one (or a bad score) changes nothing and says so kindly."""
    rt = runtime(request)
    now = rt.clock.now()
    sid, why = _parse(rt.settings, request.match_info["token"], now)
    if sid is None:
        return _page(why, 410 if why == "expired" else 404)
    form = await request.post()
    raw = str(form.get("score", ""))
    comment = str(form.get("comment", ""))[:MAX_COMMENT]
    async with rt.db.session() as s:
        found = await repo.get(s, sid)
        if found is None:
            return _page("bad", 404)
        if as_id(raw) is None or not 0 <= int(raw) <= 10:
            return _page("ask", 400, customer=found[1], scores=range(11), error="请先选一个 0 到 10 之间的分数")
        if not await repo.answer(s, sid, int(raw), comment, now):
            return _page("done")
    return _page("thanks")
