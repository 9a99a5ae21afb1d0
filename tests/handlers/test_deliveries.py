"""Live orders: 赢单 writes the deal's order once; 验收 and the 客户已验收 button stamp the first acceptance."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Order
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import add_member

STEPS = ("新建商机 华东医疗 预算 30-50万 需求 影像设备", "凭证 https://docs.example.com/minutes-1", "推进",
         "凭证 演示视频或链接 https://v.example.com/1", "报价 45万 折扣 10%", "推进",
         "凭证 报价邮件或截图 已发邮件，客户回复下周签")


async def _orders(rt) -> list[Order]:
    async with rt.db.session() as s:
        return list((await s.execute(select(Order).order_by(Order.id))).scalars())


async def _won(chat: Chat, rep: int) -> dict:
    for text in STEPS:
        await chat.say(rep, text)
    (card,) = await chat.say(rep, "赢单 方案最贴合需求")
    assert card["title"] == "恭喜赢单：华东医疗"
    return card


async def test_a_won_deal_writes_one_order_and_a_repeated_close_writes_none(client, rt):
    rep = await add_member(rt, "李娜")
    chat = Chat(client, rt)
    card = await _won(chat, rep)
    (order,) = await _orders(rt)
    assert (order.amount, order.owner_id, order.source, order.accepted_at) == (450_000, rep, "deal", None)
    assert order.opportunity_id is not None and order.ordered_at.replace(tzinfo=UTC) == rt.clock.now()
    assert [b["label"] for b in card["buttons"]] == ["客户已验收"]
    await chat.say(rep, "赢单 方案最贴合需求")  # a retry of the close: the deal is closed, no second order
    assert len(await _orders(rt)) == 1


async def test_the_owner_clicks_customer_accepted_and_the_answer_says_what_follows(client, rt):
    rep = await add_member(rt, "李娜")
    chat = Chat(client, rt)
    card = await _won(chat, rep)
    (answer,) = await chat.click(rep, button(card, "客户已验收"))
    assert answer["title"] == "客户已验收：华东医疗"
    text = answer["sections"][0]["text"]
    assert "递延" in text and "满意度调查" in text and "李娜" in text
    (order,) = await _orders(rt)
    assert order.accepted_at.replace(tzinfo=UTC) == rt.clock.now()
    (again,) = await chat.click(rep, button(card, "客户已验收"))
    assert again["title"] == "没找到等待验收的订单：华东医疗"


async def test_accept_command_refuses_peers_future_dates_and_unknown_customers(client, rt):
    rep, peer = await add_member(rt, "李娜"), await add_member(rt, "何洁")
    boss = await add_member(rt, "韩总", role="manager")
    chat = Chat(client, rt)
    await _won(chat, rep)
    (refused,) = await chat.say(peer, "验收 华东医疗")
    assert refused["title"] == "这个操作做不了" and "只有负责人" in refused["sections"][0]["text"]
    (future,) = await chat.say(rep, "验收 华东医疗 2026-12-30")
    assert future["title"] == "没有记下验收：华东医疗" and "不能晚于今天" in future["sections"][0]["text"]
    (unknown,) = await chat.say(rep, "验收 不存在公司")
    assert unknown["title"] == "没找到这个客户"
    (bad,) = await chat.say(rep, "验收 华东医疗 13-45")
    assert "看不懂日期" in bad["sections"][0]["text"]
    assert (await _orders(rt))[0].accepted_at is None  # nothing refused was written
    (done,) = await chat.say(boss, "验收 华东医疗 11-20")
    assert done["title"] == "客户已验收：华东医疗" and "2026-11-20" in done["sections"][0]["text"]
    (order,) = await _orders(rt)
    assert order.accepted_at.replace(tzinfo=UTC) == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)  # 11-20 00:00 +08
    (nothing,) = await chat.say(rep, "accept-delivery 华东医疗")
    assert nothing["title"] == "没找到等待验收的订单：华东医疗"


async def test_help_lists_the_accept_command(client, rt):
    rep = await add_member(rt, "李娜")
    chat = Chat(client, rt)
    cards = await chat.say(rep, "帮助")
    assert "验收 <客户> [日期]" in str(cards)
