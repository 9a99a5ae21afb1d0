"""The light start (lead distribution, the grading board, the weekly report) works end to end on its own."""

from __future__ import annotations

from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from bot.web.app import create_app
from scheduler.core import run_job
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import make_settings
from tests.handlers.lead_helpers import dm, lead, new_lead
from tests.helpers import add_member

LIGHT = {"leads": True, "grading": True, "weekly_report": True, "opportunities": False, "attack": False,
         "pushes": False, "scorecards": False}


async def test_light_start_lead_to_followup_help_and_weekly_report(aiohttp_client, sqlite_url, clock):
    db = Database(sqlite_url)
    await upgrade(db)
    rt = Runtime(make_settings(sqlite_url, features=LIGHT), clock=clock, db=db, apis={"playground": PlaygroundAPI()})
    rt.inbox.start()
    try:
        client = await aiohttp_client(create_app(rt))
        rep = await add_member(rt, "李娜")
        lead_id, answer, _ = await new_lead(rt, "13800138001", "华东医疗")
        assert answer == "assigned"
        chat = await dm(client, rt, rep)
        (help_card,) = await chat.say(rep, "你好")
        assert help_card["sections"][0]["items"][0].startswith("**跟进 [客户] <内容> [下次 <日期>]**")
        (full,) = await chat.say(rep, "帮助")
        commands = "\n".join(full["sections"][0]["items"])
        assert "新线索" in commands and "公海" in commands and "新建商机" not in commands
        (done,) = await chat.say(rep, "跟进 电话沟通了需求")
        assert done["title"] == "已记下跟进：华东医疗" and (await lead(rt, lead_id)).first_response_at is not None
        assert "未推送" not in (await run_job(rt, "weekly_report")).summary
        assert "功能未开启" in (await run_job(rt, "must_do")).summary
        assert "收回公海" in (await run_job(rt, "pool_reclaim")).summary
    finally:
        await rt.stop()
