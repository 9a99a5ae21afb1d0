"""Feishu: `新线索` alone answers a real card 2.0 form; its quick pick and its submit work through the real route."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Customer, Lead, Member
from storage.repos import members
from tests.bot.platforms.feishu.conftest import click, envelope, mention, signed, text_message
from tests.fakes.feishu import BOT_OPEN_ID
from tests.helpers import add_member

REP = "ou_rep_lina"


async def _post(client, rt, payload: dict):
    body, headers = signed(payload, int(rt.clock.now().timestamp()))
    return await client.post("/feishu/events", data=body, headers=headers)


def _elements(card: dict, tag: str) -> list[dict]:
    return [el for el in card["body"]["elements"] if el["tag"] == tag]


def _button(card: dict, label: str) -> str:
    found = [c["elements"][0] for row in _elements(card, "column_set") for c in row["columns"]
             if c["elements"][0].get("tag") == "button" and c["elements"][0]["text"]["content"] == label]
    return found[0]["behaviors"][0]["value"]["a"]


async def test_new_lead_form_quick_pick_and_submit_on_feishu(fclient, frt, fake):
    rt = frt
    rt.apis["feishu"].throttle.per_target = 100
    rep = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.link_identity(s, rep, "feishu", REP)
        member = await s.get(Member, rep)
        member.industries, member.region = ["医疗", "教育"], "上海"
    msg = text_message("@_user_1 新线索", REP, message_id="om_0", mentions=[mention("@_user_1", BOT_OPEN_ID)])
    await _post(fclient, rt, envelope("im.message.receive_v1", msg, "ev-0"))
    await rt.dispatcher.drain()
    while await rt.sender.run_once():
        pass
    card = fake.cards()[-1]
    assert card["header"]["title"]["content"] == "录新线索"
    answer = await (await _post(fclient, rt, click(_button(card, "行业：教育"), REP, "cb-1"))).json()
    picked = answer["card"]["data"]
    [form] = _elements(picked, "form")
    box, submit = form["elements"]
    payload = click(submit["behaviors"][0]["value"]["a"], REP, "cb-2")
    payload["event"]["action"].update(name=submit["name"], form_value={box["name"]: "王经理 13800138000 华东医疗"})
    answer = await (await _post(fclient, rt, payload)).json()
    assert answer["card"]["data"]["header"]["title"]["content"] == "已录入线索：华东医疗"
    async with rt.db.session() as s:
        (lead,) = (await s.execute(select(Lead))).scalars().all()
        (customer,) = (await s.execute(select(Customer))).scalars().all()
    assert (lead.owner_id, customer.industry, customer.region) == (rep, "教育", "上海")
