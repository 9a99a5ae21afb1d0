"""Follow-ups land on the right record (the D1 case), ask when unsure, set next-contact must-do tasks."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.core.actions import LogLeadFollowUp
from bot.core.events import ChatRef, Event
from bot.core.vocab import InteractionKind
from sales.stages import pipeline_from_config
from storage.models import Customer, Interaction, Task
from storage.repos import candidates
from tests.handlers.lead_helpers import dm, events, lead, new_lead
from tests.handlers.opp_helpers import button
from tests.helpers import add_member


async def _rows(rt, model):
    async with rt.db.session() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def test_d1_followup_in_1to1_after_a_lead_card_stops_that_leads_clock(client, rt):
    rep = await add_member(rt, "李娜")
    chat = await dm(client, rt, rep)
    (new_deal,) = await chat.say(rep, "新建商机 华北物流")  # the rep's newest deal, another customer
    assert new_deal["title"] == "新商机：华北物流"
    lead_id, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    await chat._new()  # the lead card lands in the 1:1
    (done,) = await chat.say(rep, "跟进 电话沟通了需求，约了演示 下次 明天")
    assert done["title"] == "已记下跟进：华东医疗" and done["sections"][0]["text"].startswith("华东医疗：")
    row = await lead(rt, lead_id)
    assert row.first_response_at == rt.clock.now()
    assert events_kinds(await events(rt, lead_id))[-2:] == ["first_response", "followup"]
    (touch,) = [i for i in await _rows(rt, Interaction) if i.kind == InteractionKind.FOLLOW_UP]
    customers = {c.id: c for c in await _rows(rt, Customer)}
    assert customers[touch.customer_id].name == "华东医疗"
    assert customers[touch.customer_id].last_touch_at == rt.clock.now()
    (task,) = await _rows(rt, Task)
    tomorrow = rt.clock.now().astimezone(rt.settings.tz).date() + timedelta(days=1)
    assert (task.kind, task.ref, task.owner_id) == ("next_contact", f"lead:{lead_id}", rep)
    assert task.due_at == datetime.combine(tomorrow, time(9), rt.settings.tz)
    async with rt.db.session() as s:
        morning = datetime.combine(tomorrow, time(8), rt.settings.tz)
        must = await candidates.candidates(s, morning, pipeline_from_config([]), [rep])
    assert [c.subject for c in must if c.key == f"task:{task.id}"] == ["约定联系：华东医疗"]


def events_kinds(rows):
    return [k for k, _, _ in rows]


async def test_two_running_leads_ask_which_then_log_once(client, rt):
    rep = await add_member(rt, "李娜")
    first, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    second, _, _ = await new_lead(rt, "13800138002", "华北物流")
    chat = await dm(client, rt, rep)
    (ask,) = await chat.say(rep, "跟进 发了资料 下次 12-31")
    assert ask["title"] == "记到哪一条？"
    assert [b["label"] for b in ask["buttons"]] == ["华北物流（线索）", "华东医疗（线索）"]
    (done,) = await chat.click(rep, button(ask, "华东医疗（线索）"))
    assert done["title"] == "已记下跟进：华东医疗"
    assert (await lead(rt, first)).first_response_at is not None
    assert (await lead(rt, second)).first_response_at is None
    (again,) = await chat.click(rep, button(ask, "华北物流（线索）"))
    assert again["title"] == "这条已经记过了"
    (task,) = await _rows(rt, Task)
    assert task.ref == f"lead:{first}" and task.due_at.astimezone(rt.settings.tz).strftime("%m-%d") == "12-31"


async def test_named_customer_visit_and_demo_and_bad_date(client, rt):
    rep = await add_member(rt, "李娜")
    lead_id, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    await new_lead(rt, "13800138002", "华北物流")
    chat = await dm(client, rt, rep)
    (done,) = await chat.say(rep, "拜访 华东医疗 上门见了采购")
    assert done["title"] == "已记下拜访：华东医疗"
    (demo,) = await chat.say(rep, "演示 华东医疗 演示了影像模块")
    assert demo["title"] == "已记下演示：华东医疗"
    kinds = [i.kind for i in await _rows(rt, Interaction)]
    assert kinds == [InteractionKind.VISIT, InteractionKind.DEMO]
    assert (await lead(rt, lead_id)).first_response_at is not None
    (bad,) = await chat.say(rep, "跟进 华东医疗 聊了 下次 火星")
    assert bad["title"] == "下次联系的日期没看懂"


async def test_lead_card_button_with_typed_text_logs_that_lead(client, rt):
    rep = await add_member(rt, "李娜")
    first, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    await new_lead(rt, "13800138002", "华北物流")
    chat = await dm(client, rt, rep)
    (prompt,) = await chat.click(rep, LogLeadFollowUp(lead_id=first).pack())
    assert prompt["title"] == "跟进：华东医疗"
    typed = Event("playground", "card_action", "typed-1", str(rep), ChatRef("playground", f"dm:{rep}"),
                  "加了微信，发了报价单", action=LogLeadFollowUp(lead_id=first))
    (done,) = await chat.send_event(typed)
    assert done["title"] == "已记下跟进：华东医疗" and (await lead(rt, first)).first_response_at is not None
    other = await add_member(rt, "赵六")
    (refused,) = await chat.click(other, LogLeadFollowUp(lead_id=first).pack())
    assert refused["title"] == "这个操作做不了"
