"""No ping-pong, no floods: reassignment in working time only, at most N times, then the pool; breach digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.vocab import LeadStatus
from scheduler.core import run_job
from storage.repos import members
from tests.handlers.lead_helpers import events, lead, new_lead
from tests.helpers import add_member, sent_cards


async def _team(rt, reps: list[str]) -> tuple[int, list[int]]:
    boss = await add_member(rt, "主管老周", role="manager")
    ids = [await add_member(rt, name) for name in reps]
    async with rt.db.session() as s:
        for name in reps:
            await members.set_manager(s, name, "主管老周")
    return boss, ids


async def titles(rt, member_id: int) -> list[str]:
    return [c["card"]["title"] for c in await sent_cards(rt, f"dm:{member_id}")]


async def test_unaccepted_lead_waits_for_working_hours(rt):
    await _team(rt, ["甲", "乙"])
    rt.clock.set(datetime(2026, 11, 27, 9, 50, tzinfo=UTC))  # Friday 17:50 in Shanghai
    lead_id, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    first = (await lead(rt, lead_id)).owner_id
    for at in (datetime(2026, 11, 27, 10, 30, tzinfo=UTC), datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
               datetime(2026, 11, 30, 1, 19, tzinfo=UTC)):  # Fri 18:30, Sat 11:00, Mon 09:19
        rt.clock.set(at)
        assert "收回 0 条" in (await run_job(rt, "sla_scan")).summary
    assert (await lead(rt, lead_id)).owner_id == first
    rt.clock.set(datetime(2026, 11, 30, 1, 21, tzinfo=UTC))  # 10 working minutes on Friday + 21 on Monday
    assert "收回 1 条" in (await run_job(rt, "sla_scan")).summary
    assert (await lead(rt, lead_id)).owner_id not in (None, first)


async def test_after_max_reassign_the_lead_goes_to_the_pool_and_the_manager_is_told_once(rt):
    boss, _ = await _team(rt, ["甲", "乙", "丙", "丁"])
    rt.settings.leads.max_reassign = 2
    lead_id, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    for _ in range(5):
        rt.clock.advance(timedelta(minutes=31))
        await run_job(rt, "sla_scan")
    row = await lead(rt, lead_id)
    assert (row.status, row.owner_id, row.reassigned) == (LeadStatus.POOL, None, 2)
    kinds = [k for k, _, _ in await events(rt, lead_id)]
    assert kinds == ["received", "assigned", "reclaimed", "assigned", "reclaimed", "assigned", "pool"]
    assert await titles(rt, boss) == ["没人接的线索进了公海：华东医疗"]


async def test_breaches_reach_each_manager_as_one_card_per_scan(rt):
    boss, _ = await _team(rt, ["甲", "乙", "丙"])
    rt.settings.leads.accept_minutes = 24 * 60
    for i in range(3):
        await new_lead(rt, f"1380013800{i}", f"客户{i}")
    rt.clock.advance(timedelta(hours=4))
    assert "超时 3 条" in (await run_job(rt, "sla_scan")).summary
    (card,) = [c["card"] for c in await sent_cards(rt, f"dm:{boss}")]
    assert card["title"] == "超时未跟进：3 条线索" and len(card["sections"][0]["items"]) == 3
    rt.clock.advance(timedelta(minutes=1))
    await run_job(rt, "sla_scan")
    assert len(await sent_cards(rt, f"dm:{boss}")) == 1
