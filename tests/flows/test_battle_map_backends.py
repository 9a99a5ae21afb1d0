"""The report queries on both backends (PostgreSQL when TEST_DATABASE_URL is set): battle map, churn, root cause."""

from __future__ import annotations

from datetime import timedelta

from flows import churn
from flows.battle_map import grid_for
from flows.root_cause import findings
from sales import battle_map as bm
from sales.pushtime import day_bounds
from sales.stages import DEFAULT
from tests.report_seed import Seed, days_ago


async def test_battle_map_and_churn_queries_run_on_each_backend(rt_any):
    rt, seed, now = rt_any, Seed(rt_any), rt_any.clock.now()
    team = await seed.team("华东一部")
    rep = await seed.member("李娜", team, region="华东")
    c = await seed.customer(rep, "医疗", created=days_ago(now, 90))
    await seed.deal(rep, c, "demo", days_ago(now, 30), status="lost", closed=days_ago(now, 2))
    await seed.deal(rep, c, "needs", days_ago(now, 20))
    await seed.lead(rep, c, days_ago(now, 3), status="breached", breached_at=days_ago(now, 2))
    for at in (100, 80):
        await seed.order(c, rep, days_ago(now, at))
    await seed.event(c, "reclaimed", days_ago(now, 1), owner_from=rep)
    async with rt.db.sessions() as s:
        grid, _ = await grid_for(s, rt.settings, [rep], "", now)
        region_grid, _ = await grid_for(s, rt.settings, None, "", now)
    cell = grid.cell("李娜", "医疗")
    assert cell.counts["block"] == 2 and cell.counts["density"] == 1
    assert region_grid.cell("华东", "医疗").counts == cell.counts
    assert "最大风险在李娜·医疗" in bm.biggest_risk(grid, now)
    assert cell.counts["risk"] == 4  # dormant, reclaimed, lost deal, and past its usual order cycle
    a = await churn.analyse(rt.db, 30, now)
    assert a.lost == 1 and any(s.value == "卡在需求确认" for s in a.singles)


async def test_root_cause_query_runs_on_each_backend(rt_any):
    rt, seed = rt_any, Seed(rt_any)
    end, _ = day_bounds(rt.clock.now(), rt.settings.tz)
    team = await seed.team("华东一部")
    rep = await seed.member("李娜", team, region="华东")
    for week, converted in ((0, 6), (1, 4), (2, 1)):
        for k in range(10):
            at = end - timedelta(days=21 - 7 * week - k % 5)
            lead = await seed.lead(rep, await seed.customer(rep, "医疗", created=at), at,
                                   source="抖音" if k < 5 else "官网")
            if k < converted:
                await seed.lead_event(lead, "converted", at + timedelta(hours=5))
    async with rt.db.sessions() as s:
        found = await findings(s, end, DEFAULT, 5)
    assert {(f.kind, f.key) for f in found} == {("team", team), ("region", "华东")}
    assert found[0].weeks == [(6, 10), (4, 10), (1, 10)] and found[0].ranked
