"""scorecards_weekly: history per week, two weeks below the threshold → yellow + a coaching task that stays in
the manager's must-do list until the 1:1 is logged with notes; red by the stricter rule."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.actions import LogCoaching
from bot.core.events import ChatRef, Event
from bot.core.packing import unpack
from scheduler.core import run_job
from storage.models import CoachingNote, OutboxMessage, ScorecardRow, Task
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import sent_cards
from tests.scorecard_story import build_story

WEEK = timedelta(days=7)


async def _rows(rt):
    async with rt.db.session() as s:
        stmt = select(ScorecardRow).order_by(ScorecardRow.period, ScorecardRow.member_id)
        return (await s.execute(stmt)).scalars().all()


async def _coaching(rt):
    async with rt.db.session() as s:
        return (await s.execute(select(Task).where(Task.kind == "coaching"))).scalars().all()


async def test_two_weeks_below_threshold_turn_yellow_and_give_the_manager_a_coaching_task(client, rt):
    story = await build_story(rt)
    first = await run_job(rt, "scorecards_weekly")
    assert "新建辅导任务 0" in first.summary
    assert {r.member_id: r.light for r in await _rows(rt)} == {story.top: "green", story.balanced: "green",
                                                               story.idle: ""}
    assert await _coaching(rt) == []
    rt.clock.advance(WEEK)
    second = await run_job(rt, "scorecards_weekly")
    assert "黄灯 1" in second.summary and "新建辅导任务 1" in second.summary
    rows = await _rows(rt)
    assert len(rows) == 6 and {r.period for r in rows} == {"2026-W48", "2026-W49"}
    lights = {r.member_id: r.light for r in rows if r.period == "2026-W49"}
    assert lights == {story.top: "yellow", story.balanced: "green", story.idle: ""}
    [task] = await _coaching(rt)
    assert task.owner_id == story.boss and task.ref == f"member:{story.top}" and task.done_at is None
    assert task.due_at == rt.clock.now() + timedelta(days=7)
    sent = [c["card"] for c in await sent_cards(rt, f"dm:{story.boss}")]
    assert sent[-1]["title"] == "一对一辅导：王冠" and "本周 50.1" in sent[-1]["sections"][0]["text"]

    boss = Chat(client, rt, f"dm:{story.boss}")
    boss.seen = len(sent)
    rt.clock.advance(timedelta(days=5))  # the 1:1 is due in two days: it is on today's must-do list
    [today] = await boss.say(story.boss, "今日必做")
    assert any("王冠" in s["title"] for s in today["sections"])
    [today] = await boss.click(story.boss, button(today, "完成①"))  # the must-do button cannot close a coaching task
    assert (await _coaching(rt))[0].done_at is None
    rt.clock.advance(timedelta(days=1))
    [today] = await boss.say(story.boss, "今日必做")
    assert any("王冠" in s["title"] for s in today["sections"])  # still there the next day
    [short] = await boss.say(story.boss, "辅导 王冠 好")
    assert short["title"] == "记录写几句" and (await _coaching(rt))[0].done_at is None
    [done] = await boss.say(story.boss, "辅导 王冠 聊了老客户流失，约定每周回访三家老客户并开发两家新客户")
    assert done["title"] == "已记录与 王冠 的一对一" and (await _coaching(rt))[0].done_at is not None
    async with rt.db.session() as s:
        [note] = (await s.execute(select(CoachingNote))).scalars().all()
    assert note.member_id == story.top and note.manager_id == story.boss and "流失" in note.notes

    rt.clock.advance(timedelta(days=1))
    third = await run_job(rt, "scorecards_weekly")
    assert "新建辅导任务 1" in third.summary  # still below: a new task after the logged 1:1


async def test_red_by_the_stricter_threshold_and_one_open_task_per_rep(rt_any):
    rt = rt_any
    rt.settings.scorecard.red_below = 55.0
    story = await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    rt.clock.advance(WEEK)
    await run_job(rt, "scorecards_weekly")
    rt.clock.advance(WEEK)
    third = await run_job(rt, "scorecards_weekly")
    assert "红灯 1" in third.summary and "新建辅导任务 0" in third.summary  # the first task is still open
    assert {r.member_id: r.light for r in await _rows(rt) if r.period == "2026-W50"}[story.top] == "red"
    assert len(await _coaching(rt)) == 1


async def test_rerun_of_the_same_week_changes_nothing(rt):
    await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    again = await run_job(rt, "scorecards_weekly", rt.clock.now() + timedelta(minutes=5))
    assert len(await _rows(rt)) == 3 and again.error in (None, "")


async def test_switched_off_it_computes_nothing(rt):
    rt.settings.features.scorecards = False
    await build_story(rt)
    result = await run_job(rt, "scorecards_weekly")
    assert "功能未开启" in result.summary and await _rows(rt) == []


async def test_the_coaching_card_form_logs_the_1on1(client, rt):
    story = await build_story(rt)
    await run_job(rt, "scorecards_weekly")
    rt.clock.advance(WEEK)
    await run_job(rt, "scorecards_weekly")
    card = [c["card"] for c in await sent_cards(rt, f"dm:{story.boss}")][-1]
    assert card["form"]["submit"] == "记录一对一"
    boss = Chat(client, rt, f"dm:{story.boss}")
    boss.seen = len(await sent_cards(rt, f"dm:{story.boss}"))
    chat = ChatRef("playground", f"dm:{story.boss}", False)
    [empty] = await boss.send_event(Event("playground", "card_action", "form1", str(story.boss), chat, "",
                                          action=unpack(card["form"]["value"])))
    assert empty["title"] == "记录写几句"
    [done] = await boss.send_event(Event("playground", "card_action", "form2", str(story.boss), chat,
                                         "约定每周开发两家新客户，下周复盘", action=LogCoaching(story.top)))
    assert done["title"] == "已记录与 王冠 的一对一" and (await _coaching(rt))[0].done_at is not None


async def test_a_run_in_the_quiet_hours_holds_the_coaching_card_until_morning(rt):
    story = await build_story(rt)
    late = rt.clock.now().replace(hour=15)  # 23:00 in Shanghai, inside the default 22:00-08:00 quiet hours
    await run_job(rt, "scorecards_weekly", late - WEEK)
    await run_job(rt, "scorecards_weekly", late)
    async with rt.db.session() as s:
        [row] = (await s.execute(select(OutboxMessage).where(OutboxMessage.idempotency_key.like("coaching:%"))))\
            .scalars().all()
    assert row.target.endswith(str(story.boss)) and row.next_attempt_at == late.replace(hour=0) + timedelta(days=1)
