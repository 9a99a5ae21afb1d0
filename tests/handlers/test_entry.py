"""Entry from the phone: 新线索 (own lead, dedupe, one owner) and 客户 (show / update, recorded as `updated`)."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.vocab import CustomerEventKind, LeadStatus
from storage.models import Contact, Customer, CustomerEvent, Lead
from tests.handlers.lead_helpers import dm, new_lead
from tests.handlers.opp_helpers import fields
from tests.helpers import add_member


async def _all(rt, model):
    async with rt.db.session() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def test_a_rep_enters_a_lead_from_the_phone_and_a_duplicate_says_whose(client, rt):
    rep, other = await add_member(rt, "李娜"), await add_member(rt, "王强")
    chat = await dm(client, rt, rep)
    (card,) = await chat.say(rep, "新线索 王经理 138-0013-8000 华东医疗 想了解影像设备")
    assert card["title"] == "已录入线索：华东医疗" and "138****8000" in fields(card)["联系人"]
    (lead,) = await _all(rt, Lead)
    assert (lead.owner_id, lead.status, lead.channel) == (rep, LeadStatus.ACCEPTED, "chat")
    (again,) = await chat.say(rep, "新线索 王经理 13800138000")
    assert again["title"] == "这条线索已经有了" and f"#{lead.id}" in again["sections"][0]["text"]
    (theirs,) = await (await dm(client, rt, other)).say(other, "新线索 王经理 13800138000 华东医疗")
    assert theirs["title"] == "不能录入这条线索" and "已由 李娜 负责" in theirs["sections"][0]["text"]
    (bad,) = await chat.say(rep, "新线索 王经理 12345")
    assert bad["title"] == "录新线索" and "不是11位手机号" in bad["sections"][0]["text"]  # the quick form


async def test_customer_fields_show_and_update_with_an_updated_event(client, rt):
    rep = await add_member(rt, "李娜")
    await new_lead(rt, "13800138001", "华东医疗")
    chat = await dm(client, rt, rep)
    (shown,) = await chat.say(rep, "客户 华东医疗")
    assert shown["title"] == "客户：华东医疗" and fields(shown)["负责人"] == "李娜"
    (done,) = await chat.say(rep, "客户 华东医疗 行业 医疗 地区 上海 联系人 张主任 手机 13900139000")
    assert done["title"] == "已更新行业、地区、联系人：华东医疗" and fields(done)["地区"] == "上海"
    (customer,) = await _all(rt, Customer)
    assert (customer.industry, customer.region) == ("医疗", "上海")
    assert [c.mobile for c in await _all(rt, Contact)] == ["13800138001", "13900139000"]
    (event,) = await _all(rt, CustomerEvent)
    assert (event.kind, event.detail) == (CustomerEventKind.UPDATED, {"fields": ["industry", "region", "contact"]})
    other = await add_member(rt, "赵六")
    (refused,) = await (await dm(client, rt, other)).say(other, "客户 华东医疗 地区 北京")
    assert refused["title"] == "这个操作做不了"
    (bad,) = await chat.say(rep, "客户 华东医疗 手机 123")
    assert bad["title"] == "客户资料没看懂"
