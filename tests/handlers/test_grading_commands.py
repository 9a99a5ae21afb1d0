"""分级 in chat: a customer's grade with its reasons, activity parts and weights, LTV and the ask; bad input."""

from __future__ import annotations

from scheduler.core import run_job
from storage.models import CustomerScore
from tests.flows.grading_helpers import D, add_customer, add_interactions, add_orders, seed_case
from tests.handlers.opp_helpers import Chat
from tests.helpers import add_member


def _text(card: dict) -> str:
    return "\n".join([card["title"], card["footer"]] + [s["title"] + s["text"] + "".join(s["items"])
                                                       + "".join(f"{a}{b}" for a, b in s["fields"])
                                                       for s in card["sections"]])


async def test_grade_command_explains_the_grade_after_an_import(client, rt):
    rep = await add_member(rt, "李娜")
    _, growing = await seed_case(rt, rep)
    await add_interactions(rt, growing[0], rep, [("visit", rt.clock.now() - 2 * D)])
    await run_job(rt, "grading")
    me = Chat(client, rt, f"dm:{rep}")
    card = (await me.say(rep, "分级 成长客户0"))[-1]  # after the morning's note of first grades
    text = _text(card)
    assert card["title"].startswith("成长客户0：")
    assert "拜访：" in text and "（权重 5）" in text and "电话：" in text and "（权重 2）" in text
    assert "预计价值（未来12个月）" in text and "BG/NBD" in text and "这个级别要你做什么" in text
    [project] = await me.say(rep, "分级 项目客户0")
    assert project["title"] == "项目客户0：休眠唤醒" and "不看首单金额" in _text(project)
    [mine] = await me.say(rep, "分级")
    assert mine["title"] == "李娜的客户分级" and "看板" not in _text(mine)  # the board link is for managers
    boss = await add_member(rt, "周主管", role="manager")
    [boss_card] = await Chat(client, rt, f"dm:{boss}").say(boss, "分级")
    assert "/dash/grading?" in boss_card["footer"]
    [none] = await me.say(rep, "分级 不存在的公司")
    assert none["title"] == "没找到客户“不存在的公司”"
    other = await add_member(rt, "王强")
    [refused] = await Chat(client, rt, f"dm:{other}").say(other, "分级 成长客户0")
    assert refused["title"] == "这个操作做不了" and "不归你跟进" in str(refused)


async def test_bad_input_is_graded_sensibly_or_skipped_with_a_reason(client, rt):
    rep = await add_member(rt, "李娜")
    now = rt.clock.now()
    empty = await add_customer(rt, "空客户", rep)
    odd = await add_customer(rt, "怪数据", rep, created=now - 60 * D)
    await add_orders(rt, odd, [(now - 50 * D, 0), (now - 40 * D, -3000), (now + 30 * D, 9000), (now - 20 * D, 5000)])
    await add_interactions(rt, odd, rep, [("visit", now - 80 * D), ("call", now + 2 * D), ("visit", now - D)])
    result = await run_job(rt, "grading")
    assert result.ran and not result.error and "1 位暂不分级" in result.summary
    async with rt.db.session() as s:
        skipped, scored = await s.get(CustomerScore, empty), await s.get(CustomerScore, odd)
    assert skipped.skipped == "还没有订单、商机和互动，暂不分级"
    assert scored.skipped == "" and scored.orders == 1 and scored.model == "trend"
    assert "1 笔订单日期在未来，未计入" in scored.notes
    assert "2 笔订单金额为零或负数（退款/冲销），未计入" in scored.notes
    assert "1 条互动早于客户建档日期，未计入" in scored.notes and "1 条互动日期在未来，未计入" in scored.notes
    me = Chat(client, rt, f"dm:{rep}")
    card = (await me.say(rep, "分级 空客户"))[-1]
    assert card["title"] == "空客户：暂不分级"
    [card] = await me.say(rep, "分级 怪数据")
    assert "未计入的数据" in [s["title"] for s in card["sections"]]
