"""Lead lifecycle: 新建商机 converts, 无效 loses with a reason, both free capacity at once; weekly conversion."""

from __future__ import annotations

from datetime import timedelta

from bot.core.vocab import LeadStatus
from storage.repos import push_reports
from tests.handlers.lead_helpers import dm, events, lead, new_lead, set_capacity
from tests.handlers.opp_helpers import button
from tests.helpers import add_member


async def test_capacity_two_rep_keeps_receiving_leads_as_leads_close(client, rt):
    rep = await add_member(rt, "李娜")
    await set_capacity(rt, rep, 2)
    rt.settings.leads.accept_minutes = 24 * 60
    first, _, owner = await new_lead(rt, "13800138001", "华东医疗")
    second, _, _ = await new_lead(rt, "13800138002", "华北物流")
    third, answer, _ = await new_lead(rt, "13800138003", "西南能源")
    assert owner == "李娜" and answer == "queued"  # full: two open leads
    chat = await dm(client, rt, rep)

    (card,) = await chat.say(rep, "新建商机 华东医疗 预算 30万")
    assert card["title"] == "新商机：华东医疗"
    converted = await lead(rt, first)
    assert converted.status == LeadStatus.CONVERTED and converted.first_response_at == rt.clock.now()
    assert ("converted", rep) == (await events(rt, first))[-1][:2]

    (ask,) = await chat.say(rep, "无效 华北物流")
    assert ask["title"] == "为什么无效：华北物流" and "空号错号" in [b["label"] for b in ask["buttons"]]
    (done,) = await chat.click(rep, button(ask, "已选竞品"))
    assert done["title"] == "线索已关闭：华北物流" and "名额已释放" in done["sections"][0]["text"]
    lost = await lead(rt, second)
    assert lost.status == LeadStatus.LOST and (await events(rt, second))[-1] == ("lost", rep, "已选竞品")

    _, answer, owner = await new_lead(rt, "13800138004", "华南制造")
    _, answer5, owner5 = await new_lead(rt, "13800138005", "华中电子")
    assert (answer, owner, answer5, owner5) == ("assigned", "李娜", "assigned", "李娜")
    assert (await lead(rt, third)).status == LeadStatus.NEW


async def test_invalid_with_free_text_reason_and_no_second_close(client, rt):
    rep = await add_member(rt, "王强")
    lead_id, _, _ = await new_lead(rt, "13900139000", "东方科技")
    chat = await dm(client, rt, rep)
    (done,) = await chat.say(rep, "无效 东方科技 空号错号 打了三次都是空号")
    assert done["title"] == "线索已关闭：东方科技"
    assert (await events(rt, lead_id))[-1] == ("lost", rep, "空号错号：打了三次都是空号")
    (again,) = await chat.say(rep, "无效 东方科技 没有需求")
    assert again["title"] == "没找到可关闭的线索"
    (other,) = await chat.say(rep, "无效")
    assert other["title"] == "哪个客户的线索？"


async def test_someone_elses_lead_cannot_be_closed(client, rt):
    await add_member(rt, "李娜")
    lead_id, _, owner = await new_lead(rt, "13700137000", "北方重工")
    other = await add_member(rt, "赵六")
    (refused,) = await (await dm(client, rt, other)).say(other, "无效 北方重工 没有需求")
    assert refused["title"] == "没找到可关闭的线索" and owner == "李娜"
    assert (await lead(rt, lead_id)).status == LeadStatus.ASSIGNED


async def test_weekly_conversion_counts_real_transitions(client, rt):
    rep = await add_member(rt, "李娜")
    start = rt.clock.now() - timedelta(days=1)
    await new_lead(rt, "13800138001", "华东医疗")
    await new_lead(rt, "13800138002", "华北物流")
    await (await dm(client, rt, rep)).say(rep, "新建商机 华东医疗")
    week = await _week(rt, start)
    assert (week[rep].leads, week[rep].converted) == (2, 1)


async def _week(rt, start):
    async with rt.db.session() as s:
        return await push_reports.week_numbers(s, start, start + timedelta(days=7))
