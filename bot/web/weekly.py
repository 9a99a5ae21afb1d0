"""The full weekly report page (`GET /dash/weekly/{team_id}/{week}?sig=…`), linked from the weekly report card.

Links are signed with HMAC-SHA256 under `server.secret_key` over the team and the week, so a link opens
exactly that team's week and nothing else; a wrong or edited link answers 401.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from html import escape

from aiohttp import web

from bot.config import Settings
from bot.errors import BadRequest, BadSignature
from bot.web.common import runtime
from sales.reports import WeekNumbers, week_total
from storage.repos import push_reports, pushes


def _sig(secret: str, team_id: int, week: str) -> str:
    return hmac.new(secret.encode(), f"weekly.{team_id}.{week}".encode(), hashlib.sha256).hexdigest()[:32]


def link(settings: Settings, team_id: int, week: str) -> str:
    """Return the signed address of a team's weekly page (`week` = the Monday, YYYY-MM-DD)."""
    base = settings.server.public_url.rstrip("/")
    return f"{base}/dash/weekly/{team_id}/{week}?sig={_sig(settings.server.secret_key, team_id, week)}"


def setup(app: web.Application) -> None:
    """Register the weekly page route."""
    app.router.add_get("/dash/weekly/{team_id}/{week}", page)


async def page(request: web.Request) -> web.Response:
    """Render the team's week: one row per rep, then the team total."""
    rt = runtime(request)
    team_id, week = request.match_info["team_id"], request.match_info["week"]
    try:
        start_day = date.fromisoformat(week)
        tid = int(team_id)
    except ValueError:
        raise BadRequest("the link is malformed: expected /dash/weekly/<team id>/<YYYY-MM-DD>",
                         {"week": week, "team_id": team_id}) from None
    if not hmac.compare_digest(request.query.get("sig", ""), _sig(rt.settings.server.secret_key, tid, week)):
        raise BadSignature("weekly report link signature does not match; open the link from the latest weekly card")
    start = datetime.combine(start_day, datetime.min.time(), rt.settings.tz)
    async with rt.db.sessions() as s:
        reps = [p for p in await pushes.people(s, ("rep",)) if p.team_id == tid]
        numbers = await push_reports.week_numbers(s, start, start + timedelta(days=7), [p.id for p in reps])
        name = await pushes.team_name(s, tid)
    rows = [(p.name, numbers.get(p.id, WeekNumbers())) for p in reps]
    return web.Response(text=_html(name, week, rows), content_type="text/html", charset="utf-8")


_COLUMNS = ("销售", "新线索", "转化", "阶段速度", "赢单", "赢单金额(万)", "输单", "超时未跟进", "动作完成")


def _html(team: str, week: str, rows: list[tuple[str, WeekNumbers]]) -> str:
    def cells(name: str, w: WeekNumbers) -> str:
        values = (name, w.leads, w.conversion(), w.velocity(), w.won, f"{w.won_amount / 10_000:g}", w.lost,
                  w.breaches, w.completion())
        return "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in values) + "</tr>"

    body = "".join(cells(n, w) for n, w in rows) + cells("团队合计", week_total([w for _, w in rows]))
    head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
    return (f"<!doctype html><meta charset=utf-8><title>周报 {escape(team)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:.3em .6em}"
            "table{border-collapse:collapse}tr:last-child{font-weight:bold}</style>"
            f"<h1>周报：{escape(team)}</h1><p>{escape(week)} 起的一周</p><table><tr>{head}</tr>{body}</table>")
