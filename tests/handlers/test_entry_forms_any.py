"""The quick forms on each backend: the customer pick list's query and the one-submit lead through the dispatcher."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.platforms.playground.adapter import click_event, message_event
from storage.models import Customer, Lead, Member
from tests.handlers.lead_helpers import new_lead
from tests.helpers import add_member, sent_cards


async def _rep(rt) -> int:
    rep = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        member = await s.get(Member, rep)
        member.industries, member.region = ["医疗"], "上海"
    return rep


async def _do(rt, event) -> dict:
    await rt.dispatcher.ingest(event)
    return (await sent_cards(rt, event.chat.chat_id))[-1]["card"]


async def test_form_submit_creates_the_lead_and_the_pick_list_orders_by_last_touch(rt_any):
    rt = rt_any
    rep = await _rep(rt)
    base = {"member_id": rep, "chat_id": f"dm:{rep}", "skin": "feishu"}
    form = await _do(rt, message_event({**base, "text": "新线索", "client_id": "m1"}, "销售助手"))
    done = await _do(rt, click_event({**base, "value": form["form"]["value"], "client_id": "c1",
                                      "text": "王经理 13800138000 华东医疗"}))
    assert done["title"] == "已录入线索：华东医疗"
    await new_lead(rt, "13800138001", "西湖教育")
    async with rt.db.session() as s:
        (lead,) = (await s.execute(select(Lead).where(Lead.channel == "chat"))).scalars().all()
        first = await s.get(Customer, lead.customer_id)
        assert (first.industry, first.region) == ("医疗", "上海")
        first.last_touch_at = rt.clock.now() + timedelta(hours=1)  # touched last: listed first
    pick = await _do(rt, message_event({**base, "text": "客户", "client_id": "m2"}, "销售助手"))
    assert [b["label"] for b in pick["buttons"]] == ["华东医疗", "西湖教育"]
