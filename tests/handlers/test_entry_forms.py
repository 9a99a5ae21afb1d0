"""The 90-second entry's quick card forms: 新线索 / 客户 without arguments, quick picks, one submit (playground)."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from storage.models import Customer, Lead, Member
from tests.handlers.lead_helpers import dm, new_lead
from tests.handlers.opp_helpers import button, fields
from tests.helpers import add_member

_ids = itertools.count(1)


async def _rep(rt, name: str = "李娜") -> int:
    rep = await add_member(rt, name)
    async with rt.db.session() as s:
        member = await s.get(Member, rep)
        member.industries, member.region = ["医疗", "教育"], "上海"
    return rep


async def _submit(chat, who: int, value: str, text: str = "", skin: str = "wecom") -> list[dict]:
    """Click a button (a form's submit carries the text box) as the playground page does."""
    resp = await chat.client.post("/playground/api/click", json={
        "member_id": who, "chat_id": chat.chat_id, "skin": skin, "value": value, "client_id": f"f{next(_ids)}",
        "text": text})
    assert resp.status == 202, await resp.text()
    return await chat._new()


async def _all(rt, model):
    async with rt.db.session() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def test_new_lead_alone_answers_a_form_with_the_members_defaults_and_quick_picks(client, rt):
    rep = await _rep(rt)
    chat = await dm(client, rt, rep)
    (form,) = await chat.say(rep, "新线索")
    assert form["title"] == "录新线索" and form["sections"][0]["items"] == ["行业：医疗", "地区：上海"]
    assert [b["label"] for b in form["buttons"]] == ["行业：教育"]
    assert form["form"]["submit"] == "录入"
    assert "新线索 <姓名> <手机> [公司] [需求] 行业 医疗 地区 上海" in form["footer"]
    (picked,) = await _submit(chat, rep, button(form, "行业：教育"))
    assert picked["sections"][0]["items"] == ["行业：教育", "地区：上海"] and "行业 教育" in picked["footer"]
    (done,) = await _submit(chat, rep, picked["form"]["value"], "王经理 13800138000 华东医疗 想了解影像设备")
    assert done["title"] == "已录入线索：华东医疗"
    (lead,), (customer,) = await _all(rt, Lead), await _all(rt, Customer)
    assert (lead.owner_id, lead.need, customer.industry, customer.region) == (rep, "想了解影像设备", "教育", "上海")
    (again,) = await _submit(chat, rep, picked["form"]["value"], "王经理 13800138000")
    assert again["title"] == "这条线索已经有了"


async def test_incomplete_lead_text_answers_the_form_saying_what_is_missing(client, rt):
    rep = await _rep(rt)
    chat = await dm(client, rt, rep)
    (form,) = await chat.say(rep, "新线索 王经理 12345")
    assert form["title"] == "录新线索" and "不是11位手机号" in form["sections"][0]["text"]
    (again,) = await _submit(chat, rep, form["form"]["value"], "王经理")
    assert again["title"] == "录新线索" and "要写姓名和手机" in again["sections"][0]["text"]
    assert await _all(rt, Lead) == []


async def test_the_form_keeps_one_owner_per_customer(client, rt):
    rep, other = await _rep(rt), await _rep(rt, "王强")
    await (await dm(client, rt, rep)).say(rep, "新线索 王经理 13800138000 华东医疗")
    chat = await dm(client, rt, other)
    (form,) = await chat.say(other, "新线索")
    (refused,) = await _submit(chat, other, form["form"]["value"], "王经理 13800138000 华东医疗")
    assert refused["title"] == "不能录入这条线索" and "已由 李娜 负责" in refused["sections"][0]["text"]


async def test_customer_alone_picks_a_customer_then_a_quick_pick_or_one_submit_updates_it(client, rt):
    rep = await _rep(rt)
    await new_lead(rt, "13800138001", "华东医疗")
    chat = await dm(client, rt, rep)
    (pick,) = await chat.say(rep, "客户")
    assert pick["title"] == "改哪个客户的资料？" and [b["label"] for b in pick["buttons"]] == ["华东医疗"]
    (form,) = await _submit(chat, rep, button(pick, "华东医疗"))
    assert form["title"] == "客户：华东医疗" and [b["label"] for b in form["buttons"]] == ["行业：医疗", "行业：教育",
                                                                                           "地区：上海"]
    (done,) = await _submit(chat, rep, button(form, "行业：医疗"))
    assert done["title"] == "已更新行业：华东医疗" and fields(done)["行业"] == "医疗"
    (done,) = await _submit(chat, rep, done["form"]["value"], "地区 杭州 联系人 张主任 手机 13900139000")
    assert done["title"] == "已更新地区、联系人：华东医疗" and fields(done)["地区"] == "杭州"
    (bad,) = await _submit(chat, rep, done["form"]["value"], "手机 123")
    assert bad["title"] == "客户资料没看懂"
    other = await _rep(rt, "赵六")
    (refused,) = await _submit(await dm(client, rt, other), other, button(form, "地区：上海"))
    assert refused["title"] == "这个操作做不了"
    (customer,) = await _all(rt, Customer)
    assert (customer.industry, customer.region) == ("医疗", "杭州")


async def test_the_playground_feishu_skin_shows_a_text_box_for_the_form(client, rt):
    rep = await _rep(rt)
    chat = await dm(client, rt, rep)
    await client.post("/playground/api/message", json={"member_id": rep, "chat_id": chat.chat_id, "skin": "feishu",
                                                       "text": "新线索", "client_id": "fs1"})
    await chat._new()
    timeline = await (await client.get(f"/playground/api/timeline?chat_id={chat.chat_id}&skin=feishu")).json()
    html = timeline["items"][-1]["html"]
    assert "<form" in html and "<input" in html and "录入" in html
