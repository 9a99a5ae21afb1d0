"""作战地图 `GET /dash/map`: the team's (manager) or company's (admin) heatmaps and the biggest risk on top.

Managers see their reps × product lines; admins see regions × product lines and drill into a region's reps
(`region=`). `m=` picks the heatmap: block (卡点, default), risk (风险客户) or density (线索密度).
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.platforms.http import runtime
from bot.web.access import Access, link_for, open_page, require_manager, visible_members
from bot.web.heatmap_svg import heatmap
from bot.web.pages import Refusal, not_enough, refusal_page, render, stamp
from flows.battle_map import grid_for
from sales import battle_map as bm

PATH = "/dash/map"
MAX_ROWS = 60


def setup(app: web.Application) -> None:
    """Register the battle map route."""
    app.router.add_get(PATH, page)


async def page(request: web.Request) -> web.Response:
    """Render the battle map for whoever the link or login says is looking."""
    rt = runtime(request)
    now = rt.clock.now()
    try:
        async with rt.db.sessions() as s:
            access = await open_page(request, s, rt.settings, now)
            require_manager(access)
            grid, scope = await load(s, rt.settings, access, now)
    except Refusal as exc:
        return refusal_page(exc)
    if not grid.cells:
        return not_enough("作战地图", f"{scope}近 30 天还没有线索、商机或客户记录，先用起来再来看。")
    metric = access.params.get("m", "block") if access.params.get("m") in bm.METRICS else "block"
    return render("battle_map.html", **view(rt.settings, access, grid, scope, metric, now))


async def load(session, settings, access: Access, now) -> tuple[bm.Grid, str]:
    """Query the viewer's scope and fold it into a grid (by region for an admin's first view, else by rep)."""
    ids = await visible_members(session, access)
    return await grid_for(session, settings, ids, access.params.get("region", "") if ids is None else "", now)


def view(settings, access: Access, grid: bm.Grid, scope: str, metric: str, now) -> dict:
    """Everything the template shows: totals, tabs, the SVG and each non-empty cell's records."""
    region = access.params.get("region", "")
    base = {"region": region} if region else {}
    tab = {m: link_for(settings, access, PATH, {**base, "m": m}, now) for m in bm.METRICS}
    rows = sorted(grid.rows, key=lambda r: -sum(grid.cell(r, c).counts["block"] * 2 + grid.cell(r, c).counts["risk"]
                                               for c in grid.cols))[:MAX_ROWS]
    rows = [r for r in grid.rows if r in set(rows)]
    drill: Callable[[str], str] | None = None
    if access.is_admin and not region:
        def region_link(row: str) -> str:
            return link_for(settings, access, PATH, {"region": row, "m": metric}, now)
        drill = region_link
    svg = heatmap(rows, grid.cols, lambda i, j: grid.cell(rows[i], grid.cols[j]).counts[metric], "c", drill,
                  bm.METRICS[metric])
    cells = [_cell(settings, access, grid, rows, i, j, metric, now)
             for i in range(len(rows)) for j in range(len(grid.cols))
             if grid.cell(rows[i], grid.cols[j]).counts[metric]]
    totals = [(m, label, grid.total(m)) for m, label in bm.METRICS.items()]
    return {"title": "作战地图", "alarm": bm.biggest_risk(grid, now), "scope": scope, "totals": totals,
            "tab_links": tab, "metric": metric, "metric_label": bm.METRICS[metric], "svg": svg, "cells": cells,
            "rows": rows, "truncated": len(grid.rows) if len(grid.rows) > len(rows) else 0,
            "row_label": "大区" if drill else "销售", "updated": stamp(now, settings.tz)}


def _cell(settings, access: Access, grid: bm.Grid, rows: list[str], i: int, j: int, metric: str, now) -> tuple:
    row, col = rows[i], grid.cols[j]
    cell = grid.cell(row, col)
    pool = cell.todos.get(metric, []) if metric != "density" else \
        sorted(cell.todos.get("block", []) + cell.todos.get("risk", []), key=lambda s: s.since)[:bm.TOP]
    items = [(s.todo(now), link_for(settings, access, f"/dash/customer/{s.customer_id}", {}, now)
              if s.customer_id else "") for s in pool]
    total = cell.counts[metric] if metric != "density" else len(pool)
    return f"c-{i}-{j}", f"{row} · {col}：{bm.METRICS[metric]} {cell.counts[metric]}", total, items
