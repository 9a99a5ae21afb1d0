"""The battle map's use case: a scope's records folded into the grid (the page and the 作战地图 card share it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from sales import battle_map as bm
from sales.stages import pipeline_from_config
from storage.repos import battle_map as repo

WINDOW = timedelta(days=30)


async def grid_for(session: AsyncSession, settings: Settings, ids: list[int] | None, region: str,
                   now: datetime) -> tuple[bm.Grid, str]:
    """Return the grid and its scope label: ids None = the company (by region, or one region's reps)."""
    people = await repo.people(session, ids) if ids is not None or region else {}
    by = "rep"
    if ids is None and region:
        people = {k: v for k, v in people.items() if (v[1] or bm.UNSORTED) == region}
        ids = list(people)
    elif ids is None:
        by = "region"
    scope = "我的团队" if ids is not None and not region else (f"{region} 大区" if region else "全公司")
    if ids is not None and not ids:
        return bm.Grid([], [], {}, {}), scope
    pipe = pipeline_from_config(settings.opportunities.stages)
    counts, records = await repo.signals(session, now, pipe, settings.reports.dormant_days, ids, by == "region")
    flat = [(o, i, bm.metric_of(k), n) for o, i, k, n in counts]
    flat += [(o, i, "density", n) for o, i, n in await repo.density(session, now - WINDOW, ids, by == "region")]
    return bm.build(flat, records, people, settings.reports.product_lines, by), scope
