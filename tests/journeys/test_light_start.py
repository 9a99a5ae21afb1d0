"""The light start (lead distribution, the grading board, the weekly report) works end to end on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from bot.web.app import create_app
from scheduler.core import run_job
from storage.db import Database
from tests.conftest import make_settings
from tests.handlers.lead_helpers import dm, lead, new_lead
from tests.handlers.opp_helpers import button
from tests.helpers import add_member, sent_cards
from tests.schema import migrate

LIGHT = {"grading": True, "weekly_report": True, "opportunities": False, "attack": False, "pushes": False,
         "scorecards": False}


@pytest.fixture
async def light(sqlite_url, clock):
    db = Database(sqlite_url)
    await migrate(db)
    rt = Runtime(make_settings(sqlite_url, features=LIGHT), clock=clock, db=db, apis={"playground": PlaygroundAPI()})
    rt.inbox.start()
    yield rt
    await rt.stop()


async def test_light_start_lead_to_followup_help_and_weekly_report(aiohttp_client, light):
    rt = light
    client = await aiohttp_client(create_app(rt))
    rep = await add_member(rt, "李娜")
    lead_id, answer, _ = await new_lead(rt, "13800138001", "华东医疗")
    assert answer == "assigned"
    chat = await dm(client, rt, rep)
    (help_card,) = await chat.say(rep, "你好")
    assert help_card["sections"][0]["items"][0].startswith("**跟进 [客户] <内容> [下次 <日期>]**")
    (full,) = await chat.say(rep, "帮助")
    commands = "\n".join(full["sections"][0]["items"])
    assert "新线索" in commands and "公海" in commands and "无效" in commands and "新建商机" not in commands
    (done,) = await chat.say(rep, "跟进 电话沟通了需求")
    assert done["title"] == "已记下跟进：华东医疗" and (await lead(rt, lead_id)).first_response_at is not None
    assert "未推送" not in (await run_job(rt, "weekly_report")).summary
    assert "功能未开启" in (await run_job(rt, "must_do")).summary
    assert "收回公海" in (await run_job(rt, "pool_reclaim")).summary


async def test_light_start_the_lead_card_stops_its_own_clock_and_says_how(aiohttp_client, light, clock):
    """接单 and 记跟进 on the lead card itself: the clock stops, the scan neither reminds nor breaches."""
    rt = light
    client = await aiohttp_client(create_app(rt))
    rep = await add_member(rt, "李娜")
    lead_id, _, _ = await new_lead(rt, "13800138002", "华南物流")
    chat = await dm(client, rt, rep)
    await chat.say(rep, "帮助")
    cards = [c["card"] for c in await sent_cards(rt, f"dm:{rep}") if c.get("card")]
    card = next(c for c in cards if c["title"] == "新线索：华南物流")
    assert "推进阶段" not in card["footer"] and "记跟进" in card["footer"]  # only what this start can do
    (accepted,) = await chat.click(rep, button(card, "接单"))
    assert accepted["title"] == "已接单：华南物流"
    (logged,) = await click_with_text(client, rt, f"dm:{rep}", rep, button(card, "记跟进"),
                                      "电话打通了，约了周三演示 下次 周三")
    assert logged["title"] == "已记下跟进：华南物流"
    assert (await lead(rt, lead_id)).first_response_at is not None
    clock.advance(timedelta(hours=5))
    scan = (await run_job(rt, "sla_scan")).summary
    assert scan.startswith("提醒 0 条，超时 0 条，收回 0 条"), scan
    grading = (await run_job(rt, "grading")).summary
    assert "功能未开启" not in grading


async def click_with_text(client, rt, chat_id: str, who: int, value: str, text: str) -> list[dict]:
    """Submit a card's form: the button's action with what was typed (as Feishu's form_value carries it)."""
    resp = await client.post("/playground/api/click", json={"member_id": who, "chat_id": chat_id, "skin": "feishu",
                                                             "value": value, "text": text, "client_id": "form1"})
    assert resp.status == 202, await resp.text()
    return [c["card"] for c in (await sent_cards(rt, chat_id))[-1:]]


def test_an_old_config_with_leads_on_still_loads_and_leads_off_says_why(tmp_path):
    on = tmp_path / "on.toml"
    on.write_text("[features]\nleads = true\nattack = false\n", encoding="utf-8")
    assert load_settings(on, env={}).features.attack is False
    off = tmp_path / "off.toml"
    off.write_text("[features]\nleads = false\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(off, env={})
    assert "features.leads" in str(caught.value) and "[intake.channels]" in str(caught.value)
