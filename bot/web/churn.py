"""流失分析 `GET /dash/churn?days=30[&fmt=csv|xlsx]`: the churn features page and its download (managers, admins).

Managers see their team's customers, admins everyone's; the numbers come from flows/churn.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from bot.core.checks import as_id
from bot.platforms.http import runtime
from bot.web.access import link_for, open_page, require_manager, visible_members
from bot.web.pages import Refusal, not_enough, refusal_page, render, stamp
from flows import churn
from sales.stages import pipeline_from_config

PATH = "/dash/churn"
SHOWN = 100  # lost customers listed on the page; the download has the factors of all
TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def setup(app: web.Application) -> None:
    """Register the churn page."""
    app.router.add_get(PATH, page)


async def page(request: web.Request) -> web.StreamResponse:
    """Render the churn features of the viewer's scope, or send them as a file."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            require_manager(access)
            ids = await visible_members(s, access)
    except Refusal as exc:
        return refusal_page(exc)
    raw = access.params.get("days", str(rt.settings.reports.churn_days))
    days = int(raw) if as_id(raw) is not None and 1 <= int(raw) <= 3650 else rt.settings.reports.churn_days
    pipe = pipeline_from_config(rt.settings.opportunities.stages)
    a = await churn.analyse(rt.db, days, now, pipe, ids)
    fmt = access.params.get("fmt", "")
    if fmt in TYPES:
        return _file(a, fmt, days)
    if a.lost + a.kept == 0:
        return not_enough("流失分析", "还没有客户记录。")
    links = {f: link_for(rt.settings, access, PATH, {"days": str(days), "fmt": f}, now) for f in TYPES}
    scope = "全公司" if access.is_admin else "我的团队"
    lost = [(name, how, link_for(rt.settings, access, f"/dash/customer/{cid}", {}, now))
            for cid, name, how in a.lost_list[:SHOWN]]
    return render("churn.html", title="流失分析", a=a, days=days, scope=scope, csv=links["csv"], xlsx=links["xlsx"],
                  lost=lost,
                  alarm=a.conclusions[0] if a.conclusions else "", updated=stamp(now, rt.settings.tz))


def _file(a, fmt: str, days: int) -> web.Response:
    with tempfile.TemporaryDirectory() as tmp:
        body = churn.write(a, Path(tmp) / f"churn.{fmt}", fmt).read_bytes()
    name = f"churn-features-{days}d.{fmt}"
    return web.Response(body=body, content_type=TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})
