"""The every-minute lead scan: reminders and breach at the right moments, once across replicas; reclaim."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from flows import lead_intake
from sales.intake import validate
from scheduler.core import run_job
from storage.models import Lead, LeadEvent
from storage.repos import members
from tests.helpers import add_member, sent_cards


async def new_lead(rt: Runtime, mobile: str = "13800138000", company: str = "华东医疗") -> int:
    if rt.settings.leads.accept_minutes == 30:
        rt.settings.leads.accept_minutes = 24 * 60  # these tests are about the SLA, not about reclaiming
    async with rt.db.session() as s:
        li = validate("web", {"手机号": mobile, "公司": company}, {})
        result = await lead_intake.accept(await rt.context(s), li, {"手机号": mobile}, f"key-{mobile}")
    return result.lead_id


async def lead_row(rt: Runtime, lead_id: int) -> Lead:
    async with rt.db.session() as s:
        return await s.get(Lead, lead_id)


async def titles(rt: Runtime, member_id: int) -> list[str]:
    return [c["card"]["title"] for c in await sent_cards(rt, f"dm:{member_id}")]


async def test_reminders_then_breach_warning_to_the_manager_each_once(rt_any):
    rt = rt_any
    boss = await add_member(rt, "主管老周", role="manager")
    rep = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.set_manager(s, "李娜", "主管老周")
    lead_id = await new_lead(rt)
    start = rt.clock.now()
    for minutes in (179, 180, 181, 200, 210, 211, 239):
        rt.clock.set(start + timedelta(minutes=minutes))
        await run_job(rt, "sla_scan")
    assert await titles(rt, rep) == ["新线索：华东医疗", "还没跟进：华东医疗", "还没跟进：华东医疗"]
    assert await titles(rt, boss) == []
    rt.clock.set(start + timedelta(minutes=240))
    result = await run_job(rt, "sla_scan")
    assert result.summary.startswith("提醒 0 条，超时 1 条")
    rt.clock.set(start + timedelta(minutes=241))
    assert (await run_job(rt, "sla_scan")).summary.startswith("提醒 0 条，超时 0 条")
    warning = (await sent_cards(rt, f"dm:{boss}"))
    assert [c["card"]["title"] for c in warning] == ["超时未跟进：华东医疗"]
    text = warning[0]["card"]["sections"][0]["text"]
    assert "李娜" in text and "4小时00分" in text
    lead = await lead_row(rt, lead_id)
    assert lead.breached_at == start + timedelta(minutes=240) and lead.reminded_minutes == 30


async def test_two_replicas_scanning_send_each_message_once(rt_any, clock):
    rt = rt_any
    await add_member(rt, "主管", role="manager")
    rep = await add_member(rt, "王强")
    await new_lead(rt)
    other = Runtime(rt.settings, clock=clock, db=type(rt.db)(rt.db.url), apis=rt.apis)
    try:
        clock.advance(timedelta(hours=3))
        a, b = await run_job(rt, "sla_scan"), await run_job(other, "sla_scan")
        assert (a.ran, b.ran) == (True, False)
        clock.advance(timedelta(seconds=60))
        await run_job(other, "sla_scan")  # the next minute on the other replica: the reminder was recorded
        clock.advance(timedelta(hours=1))
        await run_job(other, "sla_scan")
        clock.advance(timedelta(seconds=60))
        await run_job(rt, "sla_scan")
    finally:
        await other.db.close()
    assert await titles(rt, rep) == ["新线索：华东医疗", "还没跟进：华东医疗"]  # 60 min; 30 skipped by the jump
    assert len(await sent_cards(rt, "dm:1")) == 1  # the manager's warning, once


async def test_followup_stops_the_clock(rt):
    rep = await add_member(rt, "赵敏")
    lead_id = await new_lead(rt)
    from storage.repos import leads

    async with rt.db.session() as s:
        lead = await s.get(Lead, lead_id)
        assert await leads.stamp_first_response(s, lead.customer_id, "followup", rep, rt.clock.now()) == [lead_id]
    rt.clock.advance(timedelta(hours=5))
    assert (await run_job(rt, "sla_scan")).summary.startswith("提醒 0 条，超时 0 条")
    assert (await lead_row(rt, lead_id)).breached_at is None


async def test_unaccepted_lead_is_reclaimed_with_a_cooldown(rt):
    first = await add_member(rt, "甲")
    second = await add_member(rt, "乙")
    lead_id = await new_lead(rt)
    rt.settings.leads.accept_minutes = 30
    assert (await lead_row(rt, lead_id)).owner_id == first
    rt.clock.advance(timedelta(minutes=31))
    assert "收回 1 条" in (await run_job(rt, "sla_scan")).summary
    assert (await lead_row(rt, lead_id)).owner_id == second
    rt.clock.advance(timedelta(minutes=31))
    await run_job(rt, "sla_scan")
    lead = await lead_row(rt, lead_id)
    assert lead.owner_id is None and lead.status == "new" and "冷却中" in lead.assign_reason
    rt.clock.advance(timedelta(hours=25))  # cool-down over: back to a rep at the next scan
    await run_job(rt, "sla_scan")
    assert (await lead_row(rt, lead_id)).owner_id in (first, second)
    async with rt.db.session() as s:
        kinds = [e.kind for e in (await s.execute(select(LeadEvent).where(LeadEvent.lead_id == lead_id)
                                                  .order_by(LeadEvent.id))).scalars()]
    assert kinds[:6] == ["received", "assigned", "reclaimed", "assigned", "reclaimed", "queued"]
