"""Attack-card dashboards: `GET /dash/attack/heatmap` (reps × actions, SVG) and `GET /dash/attack/report` (monthly).

Both take a signed link from the 攻坚热力图 / 攻坚报告 cards (bot/web/dash.py) or the admin token.
Parameters: scope ("all" or "mgr:<member id>"), days (heatmap window) or month (YYYY-MM).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.checks import as_id
from bot.core.errors import BadRequest
from bot.platforms.http import runtime
from bot.web.access import Access, open_page, require_manager
from bot.web.pages import Refusal, refusal_page, render, stamp
from handlers.attack_common import playbook_in
from sales.action_report import action_line, month_bounds, strategy_line
from sales.attack_stats import Grid, grid, most_skipped, rate
from sales.playbook_model import STANDARD
from storage.repos import attack_stats as repo

CELL_W, CELL_H, LEFT, TOP = 44, 26, 120, 190


def setup(app: web.Application) -> None:
    """Register the attack dashboard routes."""
    app.router.add_get("/dash/attack/heatmap", heatmap_page)
    app.router.add_get("/dash/attack/report", report_page)


async def _members(session: AsyncSession, access: Access) -> list[int] | None:
    """The scope's members: admins any scope, a manager only their own; a missing scope means the viewer's."""
    require_manager(access)
    mine = "all" if access.is_admin or access.viewer is None else f"mgr:{access.viewer.id}"
    scope = access.params.get("scope", "") or mine
    if access.viewer is not None and not access.is_admin and scope != mine:
        raise Refusal(403, "没有权限", "这是别的团队的攻坚数据，主管只能看本团队的。", "在聊天里重新发“攻坚热力图”。")
    try:
        return await repo.scope_members(session, scope)
    except ValueError as exc:
        raise BadRequest(f"{exc}; open the link from the latest card", {"scope": scope}) from None


async def heatmap_page(request: web.Request) -> web.Response:
    """The reps × actions heatmap of cards opened in the last `days` days, as inline SVG plus the skip summary."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            ids = await _members(s, access)
            days = access.params.get("days", "30")
            if as_id(days) is None or not 1 <= int(days) <= 365:
                raise BadRequest("days must be a whole number from 1 to 365", {"days": days})
            cells = await repo.heatmap(s, now - timedelta(days=int(days)), now + timedelta(seconds=1), now, ids)
            order = [STANDARD, *(sc.key for sc in (await playbook_in(s)).scenarios)]
    except Refusal as exc:
        return refusal_page(exc)
    g = grid(cells, order)
    taps = [(f"a-{i}-{j}", f"{name} × {col[3]}：{rate(*reversed(g.cell(i, j)))}")
            for i, (_, name, _) in enumerate(g.rows) for j, col in enumerate(g.cols) if g.cell(i, j)[0]]
    skips = [x.line() for x in most_skipped(cells, top=5)]
    return render("attack_heatmap.html", title="攻坚动作热力图", days=days, svg=svg(g), cells=taps,
                  has_cells=bool(cells), skips=skips, alarm=f"跳过最多：{skips[0]}" if skips else "",
                  updated=stamp(now, rt.settings.tz))


_STOPS = ((215, 48, 39), (254, 224, 139), (26, 152, 80))  # red 0% → yellow 50% → green 100%


def _colour(done: int, due: int) -> str:
    """The cell colour for a completion rate; grey when the rep never had the action."""
    if not due:
        return "#eeeeee"
    r = done / due
    low, high, t = (_STOPS[0], _STOPS[1], r * 2) if r < 0.5 else (_STOPS[1], _STOPS[2], (r - 0.5) * 2)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high, strict=True))


def svg(g: Grid) -> str:
    """Draw the grid: one row per rep, one column per action, each cell coloured by completion."""
    width, height = LEFT + CELL_W * max(len(g.cols), 1) + 20, TOP + CELL_H * max(len(g.rows), 1) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" font-size="12" font-family="sans-serif">']
    for j, (_, _, _, title) in enumerate(g.cols):
        x = LEFT + CELL_W * j + CELL_W // 2
        out.append(f'<text transform="translate({x},{TOP - 6}) rotate(-55)">{escape(title[:18])}</text>')
    for i, (_, name, is_new) in enumerate(g.rows):
        y = TOP + CELL_H * i
        out.append(f'<text x="4" y="{y + 17}">{"★" if is_new else ""}{escape(name[:8])}</text>')
        for j in range(len(g.cols)):
            due, done = g.cell(i, j)
            x = LEFT + CELL_W * j
            rect = f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{_colour(done, due)}"/>'
            if due:  # a tap opens the cell's numbers below the chart (phones have no hover)
                rect = (f'<a href="#a-{i}-{j}">{rect}<text x="{x + 6}" y="{y + 17}">{done * 100 // due}%</text>'
                        "</a>")
            out.append(rect)
    return "".join(out) + "</svg>"


async def report_page(request: web.Request) -> web.Response:
    """The monthly action-compliance report: per strategy and per action, every rate with its counts."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            ids = await _members(s, access)
            month = month_bounds(access.params.get("month", ""), now, rt.settings.tz)
            if month is None:
                raise BadRequest("month must look like 2026-11", {"month": access.params.get("month", "")})
            label, start, end = month
            strategies = await repo.strategy_stats(s, start, end, now, ids)
            actions = await repo.action_stats(s, start, end, now, ids)
    except Refusal as exc:
        return refusal_page(exc)
    lines = [(action_line(a), a.due >= 5 and a.done / a.due < 0.5) for a in actions]
    low = sum(flag for _, flag in lines)
    return render("attack_report.html", title=f"攻坚月报 {label}", label=label,
                  strategies=[strategy_line(x) for x in strategies], actions=lines,
                  alarm=f"{low} 个动作完成率不到一半。" if low else "", updated=stamp(now, rt.settings.tz))
