"""Attack-card dashboards: `GET /dash/attack/heatmap` (reps × actions, SVG) and `GET /dash/attack/report` (monthly).

Both take a signed link from the 攻坚热力图 / 攻坚报告 cards (bot/web/dash.py) or the admin token.
Parameters: scope ("all" or "mgr:<member id>"), days (heatmap window) or month (YYYY-MM).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from aiohttp import web

from bot.errors import BadRequest
from bot.web.common import runtime
from bot.web.dash import verify
from handlers.attack_common import playbook_in
from sales.attack_stats import Grid, action_line, grid, month_bounds, most_skipped, rate, strategy_line
from sales.playbook import STANDARD
from storage.repos import attack_stats as repo

CELL_W, CELL_H, LEFT, TOP = 44, 26, 120, 190
_PAGE = ("<!doctype html><meta charset=utf-8><title>{title}</title><style>body{{font-family:sans-serif;margin:2em}}"
         "td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}table{{border-collapse:collapse}}</style>"
         "<h1>{title}</h1>{body}")


def setup(app: web.Application) -> None:
    """Register the attack dashboard routes."""
    app.router.add_get("/dash/attack/heatmap", heatmap_page)
    app.router.add_get("/dash/attack/report", report_page)


async def _members(session, params: dict[str, str]) -> list[int] | None:
    try:
        return await repo.scope_members(session, params.get("scope", ""))
    except ValueError as exc:
        raise BadRequest(f"{exc}; open the link from the latest card", {"scope": params.get("scope", "")}) from None


async def heatmap_page(request: web.Request) -> web.Response:
    """The reps × actions heatmap of cards opened in the last `days` days, as inline SVG plus the skip summary."""
    rt = runtime(request)
    now = rt.clock.now()
    params = verify(request, rt.settings, now)
    days = params.get("days", "30")
    if not days.isdigit() or not 1 <= int(days) <= 365:
        raise BadRequest("days must be a whole number from 1 to 365", {"days": days})
    async with rt.db.sessions() as s:
        ids = await _members(s, params)
        cells = await repo.heatmap(s, now - timedelta(days=int(days)), now + timedelta(seconds=1), now, ids)
        order = [STANDARD, *(sc.key for sc in (await playbook_in(s)).scenarios)]
    skips = "".join(f"<li>{escape(x.line())}</li>" for x in most_skipped(cells, top=5))
    body = (f"<p>近 {escape(days)} 天开的攻坚卡；格子里是完成率，鼠标停留看（完成/到期）。新人排在前面（★）。</p>"
            f"{svg(grid(cells, order))}<h2>跳过最多</h2><ul>{skips or '<li>样本还不够</li>'}</ul>")
    return web.Response(text=_PAGE.format(title="攻坚动作热力图", body=body), content_type="text/html", charset="utf-8")


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
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="12" '
           'font-family="sans-serif">']
    for j, (_, _, _, title) in enumerate(g.cols):
        x = LEFT + CELL_W * j + CELL_W // 2
        out.append(f'<text transform="translate({x},{TOP - 6}) rotate(-55)">{escape(title[:18])}</text>')
    for i, (_, name, is_new) in enumerate(g.rows):
        y = TOP + CELL_H * i
        out.append(f'<text x="4" y="{y + 17}">{"★" if is_new else ""}{escape(name[:8])}</text>')
        for j, col in enumerate(g.cols):
            due, done = g.cell(i, j)
            x = LEFT + CELL_W * j
            tip = escape(f"{name} × {col[3]}：{rate(done, due)}")
            out.append(f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{_colour(done, due)}">'
                       f"<title>{tip}</title></rect>")
            if due:
                out.append(f'<text x="{x + 6}" y="{y + 17}">{done * 100 // due}%</text>')
    return "".join(out) + "</svg>"


async def report_page(request: web.Request) -> web.Response:
    """The monthly action-compliance report: per strategy and per action, every rate with its counts."""
    rt = runtime(request)
    now = rt.clock.now()
    params = verify(request, rt.settings, now)
    month = month_bounds(params.get("month", ""), now, rt.settings.tz)
    if month is None:
        raise BadRequest("month must look like 2026-11", {"month": params.get("month", "")})
    label, start, end = month
    async with rt.db.sessions() as s:
        ids = await _members(s, params)
        strategies = await repo.strategy_stats(s, start, end, now, ids)
        actions = await repo.action_stats(s, start, end, now, ids)
    rows = "".join(f"<li>{escape(strategy_line(x))}</li>" for x in strategies) or "<li>本月还没有攻坚卡</li>"
    lines = "".join(f"<li>{escape(action_line(a))}</li>" for a in actions)
    body = (f"<p>{escape(label)} 开的攻坚卡。括号里是（分子/分母）；分母小于 5 标“样本少”，别据此下结论。</p>"
            f"<h2>按策略</h2><ul>{rows}</ul><h2>按动作（完成率；做了 vs 跳过时的赢单率）</h2><ul>{lines}</ul>")
    return web.Response(text=_PAGE.format(title=f"攻坚月报 {escape(label)}", body=body), content_type="text/html",
                        charset="utf-8")
