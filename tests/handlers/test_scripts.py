"""话术 in chat: top-3 on the card and via 话术, 用了这条, adoption per script and rep; 反馈."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.cli.scripts import import_scripts
from storage.models import Feedback, ScriptUse
from tests.handlers.opp_helpers import Chat, button, section
from tests.helpers import add_member

STARTER = Path(__file__).resolve().parents[2] / "packs" / "scripts" / "starter.toml"


async def test_top_three_on_the_card_then_use_one_and_see_the_rates(client, rt):
    report = await import_scripts(rt.db, rt.settings, STARTER)
    assert report.created >= 30 and report.rejected == []
    rep, boss = await add_member(rt, "李娜"), await add_member(rt, "韩总", role="manager")
    chat = Chat(client, rt)
    (card,) = await chat.say(rep, "新建商机 华东医疗 预算 30-50万 需求 影像设备，科室流程乱")
    titles = section(card, "推荐话术")["items"]
    assert titles[0] == "医疗·先问科室流程，不急着讲产品" and len(titles) == 3
    assert [b["label"] for b in card["buttons"]] == ["补凭证", "推进到下一阶段", "看话术"]

    (scripts,) = await chat.click(rep, button(card, "看话术"))
    assert scripts["title"] == "话术：华东医疗" and scripts["subtitle"].startswith("需求确认")
    assert [s["title"] for s in scripts["sections"]] == [f"{i}. {t}" for i, t in enumerate(titles, start=1)]
    why = scripts["sections"][0]["items"][0]
    assert why.startswith("为什么推荐：阶段对口 +3 · 行业对口（医疗）+3 · 预算档位（中单）+2")
    (same,) = await chat.say(rep, "话术")
    assert same["sections"] == scripts["sections"]  # deterministic

    (done,) = await chat.click(rep, button(scripts, "用了第1条"))
    assert done["title"] == "已记下"
    await chat.click(rep, button(scripts, "用了第1条"))  # the same day counts once
    async with rt.db.session() as s:
        uses = [(u.kind, u.member_id) for u in (await s.execute(select(ScriptUse))).scalars()]
    assert uses.count(("used", rep)) == 1 and uses.count(("shown", rep)) == 3

    (stats,) = await chat.say(boss, "话术统计")
    assert stats["title"] == "话术采用率"
    assert section(stats, "按话术")["items"][0] == "医疗·先问科室流程，不急着讲产品：采用 1 / 推荐 1（100%）"
    assert section(stats, "按销售")["items"] == ["李娜：采用 1 / 推荐 3（33%）"]


async def test_unknown_industry_is_guessed_and_empty_library_says_how_to_fill_it(client, rt):
    rep = await add_member(rt, "王强")
    chat = Chat(client, rt)
    (card,) = await chat.say(rep, "新建商机 宏达精密机械")
    assert section(card, "推荐话术") is None and len(card["buttons"]) == 2
    (empty,) = await chat.say(rep, "话术")
    assert empty["title"] == "还没有合适的话术" and "salesbot import scripts" in empty["sections"][0]["text"]
    await import_scripts(rt.db, rt.settings, STARTER)
    (scripts,) = await chat.say(rep, "话术")
    assert all("制造" in s["title"] or "通用" in s["title"] for s in scripts["sections"])


async def test_feedback_is_stored_with_who_and_where(client, rt):
    rep = await add_member(rt, "赵敏")
    chat = Chat(client, rt)
    (card,) = await chat.say(rep, "反馈 新建商机时老要重复输行业")
    assert card["title"] == "收到，谢谢"
    (ask,) = await chat.say(rep, "反馈")
    assert ask["title"] == "反馈写什么？"
    async with rt.db.session() as s:
        (row,) = (await s.execute(select(Feedback))).scalars()
    assert (row.member_id, row.text, row.platform, row.chat_id) == (rep, "新建商机时老要重复输行业", "playground",
                                                                     "group:1")
