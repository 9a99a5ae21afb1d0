"""The grading board `GET /dash/grading?team=…` (member-bound signed link from 分级, bot/web/access.py).

One team's quadrant scatter (server-rendered SVG, readable at 375 px), the count per grade and its change
since the quarter began, the customers that moved, every dot linking to the customer's page. The link is
bound to the member it was made for: a manager or rep of another team gets a friendly 403 page, an expired link
410 (bot/web/pages.py). Links made before member binding carry `member=` inside the signature and still open as
that member.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from statistics import median

from aiohttp import web

from bot.core.checks import as_id
from bot.core.links import customer_link
from bot.core.vocab import Grade
from bot.platforms.http import runtime
from bot.web.access import open_page
from bot.web.grading_svg import COLOURS, scatter
from bot.web.pages import Refusal, refusal_page, render
from storage.models import Member, Team
from storage.repos import grading
from storage.repos import grading_board as repo


def setup(app: web.Application) -> None:
    """Register the grading board."""
    app.router.add_get("/dash/grading", board_page)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return render("grading_board.html", status, title=title, body=body)


def quarter_start(now: datetime, tz) -> datetime:
    """Return the start of the quarter `now` falls in, in org time."""
    local = now.astimezone(tz)
    return local.replace(month=(local.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


async def board_page(request: web.Request) -> web.Response:
    """Render one team's board for the member the link was made for."""
    rt = runtime(request)
    now = rt.clock.now()
    async with rt.db.session() as s:
        try:
            access = await open_page(request, s, rt.settings, now)
        except Refusal as exc:
            exc.fix = "请在聊天里发“分级”拿新的看板链接。"
            return refusal_page(exc)
        member_id, team_id = access.params.get("member", ""), access.params.get("team", "")
        viewer = access.viewer or (await s.get(Member, as_id(member_id)) if as_id(member_id) else None)
        if as_id(team_id) is None or (viewer is None and member_id):
            return _page("链接不完整", "<p>请在聊天里发“分级”拿新的看板链接。</p>", 400)
        team = await s.get(Team, int(team_id))
        if team is None:
            return _page("找不到这个团队", "<p>团队可能已调整，请在聊天里发“分级”拿新的看板链接。</p>", 404)
        if viewer is not None and viewer.role != "admin" and viewer.team_id != team.id:
            return _page("没有权限", f"<p>这是{escape(team.name)}的分级看板，只有本团队成员和管理员能看。"
                                    "请看自己团队的看板（在聊天里发“分级”）。</p>", 403)
        dots, counts = await repo.dots(s, team.id)
        since = quarter_start(now, rt.settings.tz)
        moved = await repo.moved_since(s, team.id, since)
        run = await grading.latest_run(s)
    lines = _lines(run.thresholds if run else {})
    who = viewer.id if viewer is not None else None
    svg = scatter(dots, *lines, lambda cid: customer_link(rt.settings, cid, now, who))
    return _page(f"{team.name} 客户分级看板", _counts(counts, moved) + svg + _moved(moved, rt.settings, now, who))


def _lines(thresholds: dict) -> tuple[float, float]:
    """The dashed lines: the median of the industries' thresholds (each dot's own industry decides its grade)."""
    v = [b["value"]["high"] for b in thresholds.values()] or [0.0]
    a = [b["activity"]["high"] for b in thresholds.values()] or [0.0]
    return float(median(v)), float(median(a))


def _counts(counts, moved: dict[int, tuple[str, str, str]]) -> str:
    rows = []
    for g in [*(x.value for x in Grade), ""]:
        change = sum(now == g for _, _, now in moved.values()) - sum(was == g for _, was, _ in moved.values())
        label = g or "未分级"
        rows.append(f'<tr><td><span style="color:{COLOURS[g]}">●</span> {label}</td><td>{counts.get(g, 0)}</td>'
                    f"<td>{change:+d}</td></tr>")
    return ("<table><tr><th>级别</th><th>客户数</th><th>本季度变化</th></tr>" + "".join(rows) + "</table>"
            "<h2>象限图（点一下看客户档案）</h2>")


def _moved(moved: dict[int, tuple[str, str, str]], settings, now: datetime, who: int | None) -> str:
    if not moved:
        return "<h2>本季度调整过级别的客户</h2><p>还没有。</p>"
    items = "".join(f'<li><a href="{escape(customer_link(settings, cid, now, who))}">{escape(name)}</a>：'
                    f"{escape(was or '未分级')} → {escape(now_g or '未分级')}</li>"
                    for cid, (name, was, now_g) in list(moved.items())[:100])
    return f"<h2>本季度调整过级别的客户（{len(moved)}）</h2><ul>{items}</ul>"
