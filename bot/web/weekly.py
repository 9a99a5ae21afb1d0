"""The full weekly report page (`GET /dash/weekly/{team_id}/{week}?exp=…&sig=…`), linked from the weekly card.

Links are signed dashboard links (bot/web/dash.py) over the path, so a link opens exactly that team's week;
an edited link answers a friendly 403 page, an expired one 410. Managers logged in from the workbench open
their own team's weeks; reps' rows link to their personal pages.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta

from aiohttp import web

from bot.config import Settings
from bot.core.checks import same_secret
from bot.platforms.http import runtime
from bot.web.access import Access, check_team, link_for, open_page
from bot.web.pages import Refusal, refusal_page, render, stamp
from sales.reports import WeekNumbers, week_total
from storage.repos import push_reports, pushes


def _sig(secret: str, team_id: int, week: str) -> str:
    """The signature of links sent before expiring links (kept so old cards still open their week)."""
    return hmac.new(secret.encode(), f"weekly.{team_id}.{week}".encode(), hashlib.sha256).hexdigest()[:32]


def setup(app: web.Application) -> None:
    """Register the weekly page route."""
    app.router.add_get("/dash/weekly/{team_id}/{week}", page)


async def _access(request: web.Request, session, settings: Settings, now: datetime, tid: int, week: str) -> Access:
    if "exp" not in request.query and "sig" in request.query:  # a link from before expiring links
        if not same_secret(request.query.get("sig", ""), _sig(settings.server.secret_key, tid, week)):
            raise Refusal(403, "链接无效", "这个链接被改动过或不完整，打不开。")
        return Access(None, {})
    access = await open_page(request, session, settings, now)
    if access.viewer is not None:
        await check_team(session, access, tid)
    return access


async def page(request: web.Request) -> web.Response:
    """Render the team's week: one row per rep, then the team total."""
    rt = runtime(request)
    now = rt.clock.now()
    team_id, week = request.match_info["team_id"], request.match_info["week"]
    try:
        start_day = date.fromisoformat(week)
        tid = int(team_id)
    except ValueError:
        return refusal_page(Refusal(403, "链接无效", "链接的格式不对。", "请从最新的周报卡片打开。"))
    start = datetime.combine(start_day, datetime.min.time(), rt.settings.tz)
    try:
        async with rt.db.sessions() as s:
            access = await _access(request, s, rt.settings, now, tid, week)
            reps = [p for p in await pushes.people(s, ("rep",)) if p.team_id == tid]
            numbers = await push_reports.week_numbers(s, start, start + timedelta(days=7), [p.id for p in reps])
            name = await pushes.team_name(s, tid)
    except Refusal as exc:
        return refusal_page(exc)
    rows = [(p.name, numbers.get(p.id, WeekNumbers()), p.id) for p in reps]
    return render("weekly.html", **_view(rt.settings, access, name, week, rows, now))


_COLUMNS = ("销售", "新线索", "转化", "阶段速度", "赢单", "赢单金额(万)", "输单", "超时未跟进", "动作完成")


def _values(w: WeekNumbers) -> list:
    return [w.leads, w.conversion(), w.velocity(), w.won, f"{w.won_amount / 10_000:g}", w.lost, w.breaches,
            w.completion()]


def _view(settings: Settings, access: Access, team: str, week: str, rows: list, now: datetime) -> dict:
    """Each rep's row links to that rep's personal page (their records) when the viewer is a member."""
    out = [(n, _values(w), w.breaches > 0,
            link_for(settings, access, "/dash/me", {"member": str(mid)}, now) if access.viewer else "")
           for n, w, mid in rows]
    total = week_total([w for _, w, _ in rows])
    late = sum(w.breaches for _, w, _ in rows)
    return {"title": f"周报：{team}", "week": week, "columns": _COLUMNS, "rows": out, "total": _values(total),
            "alarm": f"本周有 {late} 条线索超时未跟进。" if late else "", "updated": stamp(now, settings.tz)}
