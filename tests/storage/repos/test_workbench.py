"""Workbench counts for all members at once, and the 0800 migration (evidence_media, workbench_state)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from sales.stages import pipeline_from_config
from storage.models import Lead
from storage.repos import push_state, workbench
from tests.helpers import schema_drift
from tests.scheduler.push_helpers import build_org

TABLES = {"evidence_media", "workbench_state"}
DAY = "2026-11-27"


async def test_migration_matches_the_models(migrated_db):
    assert await schema_drift(migrated_db, TABLES) == []


async def _counts(rt, member_ids=None):
    pipeline = pipeline_from_config(rt.settings.opportunities.stages)
    async with rt.db.session() as s:
        return await workbench.counts(s, rt.clock.now(), DAY, pipeline, member_ids)


async def test_counts_for_every_member_in_a_fixed_number_of_statements(rt_any):
    org = await build_org(rt_any)
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(rt_any.db.engine.sync_engine, "before_cursor_execute", listen)
    try:
        counts = await _counts(rt_any)
    finally:
        event.remove(rt_any.db.engine.sync_engine, "before_cursor_execute", listen)
    # must-do = the three items `今日必做` shows; overdue = the attack action and the stalled deal (one per
    # subject: the quote deal's own deadline is its attack action's subject); leads = the open one and the breached
    assert counts == {org.rep: workbench.Counts(must_do=3, open_leads=2, overdue=2)}
    assert counts.get(org.other) is None
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 6


async def test_done_items_leave_the_counts_and_answered_leads_stay_open(rt_any):
    org = await build_org(rt_any)
    async with rt_any.db.session() as s:
        await push_state.mark_item(s, org.rep, DAY, f"task:{org.task}", done_at=rt_any.clock.now())
        lead = await s.get(Lead, org.lead)
        lead.first_response_at = rt_any.clock.now()
    counts = (await _counts(rt_any, [org.rep]))[org.rep]
    assert counts == workbench.Counts(must_do=3, open_leads=2, overdue=1)


async def test_page_lists_items_leads_and_overdue_lines(rt):
    org = await build_org(rt)
    pipeline = pipeline_from_config(rt.settings.opportunities.stages)
    async with rt.db.session() as s:
        items, leads, late = await workbench.page(s, rt.clock.now(), DAY, pipeline, org.rep)
    assert len(items) == 3 and items[0].text.startswith("推进恒信金融")
    assert [(x.subject, x.status, x.answered) for x in leads] == [("远航物流", "breached", False),
                                                                  ("华东医疗", "assigned", False)]
    assert late == ["推进恒信金融出“方案演示”阶段（已超时15天）", "攻坚：宏达制造 约决策人面谈（已超时1小时）"]
    rt.clock.advance(timedelta(hours=3))  # the new lead's golden hours are over: it is overdue too
    async with rt.db.session() as s:
        _, _, late = await workbench.page(s, rt.clock.now(), DAY, pipeline, org.rep)
    assert late[-1].startswith("首次联系华东医疗的新线索（已超时")
