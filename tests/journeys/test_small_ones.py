"""The small ones: DM commands name the deal or ask which; scripts follow the recorded industry and need;
DingTalk links never glued to </font>."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli.scripts import import_scripts
from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.platforms.dingtalk.render import DingTalkRenderer
from cards.views import weekly_card
from sales.reports import WeekNumbers
from tests.conftest import make_settings
from tests.handlers.opp_helpers import Chat, section
from tests.helpers import add_member

STARTER = Path(__file__).resolve().parents[2] / "packs" / "scripts" / "starter.toml"


async def test_a_dm_command_with_several_deals_asks_which_and_a_named_one_acts_on_it(client, rt):
    rep = await add_member(rt, "李娜")
    group1, group2, dm = Chat(client, rt, "group:1"), Chat(client, rt, "group:2"), Chat(client, rt, f"dm:{rep}")
    await group1.say(rep, "新建商机 华东医疗 预算50万")
    await group2.say(rep, "新建商机 宏达制造 预算80万")
    (ask,) = await dm.say(rep, "卡在哪")
    assert ask["title"] == "说的是哪个客户？" and "华东医疗" in str(ask) and "宏达制造" in str(ask)
    (card,) = await dm.say(rep, "卡在哪 华东医疗")
    assert "华东医疗" in card["title"]  # the card names the customer it acted on


async def test_a_dm_command_with_one_deal_names_it(client, rt):
    rep = await add_member(rt, "王强")
    await Chat(client, rt, "group:3").say(rep, "新建商机 东方教育 预算20万")
    (card,) = await Chat(client, rt, f"dm:{rep}").say(rep, "卡在哪")
    assert "东方教育" in card["title"]


async def test_scripts_follow_the_recorded_industry_and_never_cross_on_a_guess(client, rt):
    await import_scripts(rt.db, rt.settings, STARTER)
    rep = await add_member(rt, "赵敏")
    chat = Chat(client, rt)
    (card,) = await chat.say(rep, "新建商机 星海集团 预算 30-50万 行业 医疗 需求 科室流程乱")
    titles = section(card, "推荐话术")["items"]
    assert titles and all(not t.startswith(("制造", "教育", "零售", "金融")) for t in titles)
    other = Chat(client, rt, "group:9")
    (card,) = await other.say(rep, "新建商机 远山集团 预算 30-50万")  # no industry anywhere
    titles = (section(card, "推荐话术") or {"items": []})["items"]
    assert all(not t.startswith(("医疗", "制造", "教育", "零售", "金融")) for t in titles)


def test_dingtalk_links_are_never_glued_to_a_font_tag():
    card = weekly_card("团队周报：华东", "11-17 至 11-23", WeekNumbers(leads=3), link="https://bot.test/weekly?t=1")
    renderer = DingTalkRenderer(make_settings("sqlite://"), ManualClock())
    text = renderer.render(ChatRef("dingtalk", "group:c1", True), card, "", {})["body"]["markdown"]["text"]
    assert "https://bot.test/weekly?t=1" in text and not re.search(r"https?://[^\s)]*</font>", text)


async def test_open_a_deal_room_in_the_playground_and_talk_there(client, rt):
    rep = await add_member(rt, "孙悦")
    group = Chat(client, rt, "group:1")
    await group.say(rep, "新建商机 华东医疗 预算50万")
    (done,) = await group.say(rep, "开群")
    assert done["title"] == "开群：华东医疗"
    state = await (await client.get("/playground/api/state")).json()
    room = next(g for g in state["groups"] if g["name"] == "商机群·华东医疗")
    room_chat = Chat(client, rt, room["id"])
    first, card = await room_chat.say(rep, "卡在哪")  # no customer named: the room's deal
    assert first["title"] == "商机群：华东医疗" and "华东医疗" in card["title"]
