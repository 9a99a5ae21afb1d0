"""Scheduled pushes end to end: ranking on real queries, delivery keys, unreachable members, quiet hours,
holidays, feature switches, exactly once across two runtimes (SQLite and PostgreSQL), the demo company."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from datetime import UTC, datetime, timedelta

from bot.demo import seed_demo
from bot.runtime import Runtime
from scheduler import push_common, push_mustdo
from scheduler.core import run_job
from tests.helpers import sent_cards
from tests.scheduler.push_helpers import build_org, drop_identities, outbox_keys, outbox_row

DAY = "2026-11-27"  # the ManualClock starts at 2026-11-27 09:00 Shanghai


async def test_must_do_ranks_by_the_documented_score_and_pushes_once(rt):
    org = await build_org(rt)
    result = await run_job(rt, "must_do")
    assert result.summary == "今日必做：已推送 1 人，1 人今天没有到期事项（不打扰）"
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{org.rep}")]
    titles = [s["title"] for s in card["sections"]]
    # stalled deal 60×2 = 120 > overdue attack 80×1.01 > lead due in 2 h 100×0.8; the quote deal is the attack's subject
    assert titles == ["① 推进恒信金融出“方案演示”阶段（已超时15天）", "② 攻坚：宏达制造 约决策人面谈（已超时1小时）",
                      "③ 首次联系华东医疗的新线索（距超时剩2小时）"]
    assert card["sections"][2]["text"].startswith("为什么：黄金4小时")
    assert [b["label"] for b in card["buttons"]][:2] == ["完成①", "明天再做①"]
    rt.clock.advance(timedelta(minutes=5))  # a second fire the same day (another minute) sends nothing new
    again = await run_job(rt, "must_do")
    assert again.ran and "已推送 0 人，1 人此前已推送（不重复发送）" in again.summary
    assert await outbox_keys(rt, "must_do:") == [f"must_do:{DAY}:{org.rep}"]


async def test_member_without_identity_is_reported_not_skipped(rt, caplog):
    org = await build_org(rt)
    await drop_identities(rt, org.rep)
    with caplog.at_level(logging.WARNING, logger="salesbot.pushes"):
        result = await run_job(rt, "must_do")
    assert "已推送 0 人" in result.summary and "1 人无绑定账号（李娜）" in result.summary
    assert any(getattr(r, "member_ids", None) == [org.rep] for r in caplog.records)
    assert await outbox_keys(rt, "must_do:") == []


async def test_quiet_hours_hold_pushes_until_they_end(rt):
    org = await build_org(rt)
    rt.settings.schedule.must_do = "07:00"
    rt.clock.set(datetime(2026, 11, 26, 23, 0, tzinfo=UTC))  # 07:00 Shanghai
    result = await run_job(rt, "must_do")
    assert result.summary == "今日必做：已推送 1 人，静默时段，08:00 后送达，1 人今天没有到期事项（不打扰）"
    row = await outbox_row(rt, f"must_do:{DAY}:{org.rep}")
    assert row.next_attempt_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 08:00 Shanghai
    assert await rt.sender.run_once() == 0  # nothing is due before 08:00
    rt.clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    assert await rt.sender.run_once() == 1


async def test_holidays_and_feature_switches_send_nothing(rt):
    await build_org(rt)
    rt.settings.schedule.holidays = [DAY]
    assert (await run_job(rt, "must_do")).summary == f"今日必做：{DAY} 是节假日（[schedule] holidays），未推送"
    rt.settings.schedule.holidays = []
    rt.settings.features.weekly_report = False
    summary = (await run_job(rt, "weekly_report")).summary
    assert summary == "周报：功能未开启（[features] weekly_report = false），未推送"
    assert await outbox_keys(rt) == []


async def test_breakpoints_rank_value_times_staleness_for_the_manager(rt):
    org = await build_org(rt)
    result = await run_job(rt, "morning_breakpoints", datetime(2026, 11, 27, 8, 30))
    assert result.summary == "早会断点：已推送 1 位主管，共 2 个断点"
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{org.boss}")]
    assert [s["title"] for s in card["sections"]] == ["① 恒信金融", "② 远航物流"]
    first = dict(card["sections"][0]["fields"])
    assert first == {"卡在哪一阶": "方案演示", "谁负责": "李娜", "停了多久": "11-02 起，停 24 天（标准 10 天）",
                     "何时解": "今天"}
    assert dict(card["sections"][1]["fields"])["卡在哪一阶"] == "线索·首次响应"
    assert [b["label"] for b in card["buttons"]] == ["催一下①", "催一下②"]


async def test_weekly_report_goes_to_reps_and_the_team_group_with_a_signed_page(rt, client):
    org = await build_org(rt)
    monday = datetime(2026, 11, 30, 9, 0)
    result = await run_job(rt, "weekly_report", monday)
    assert result.summary == "周报：已推送 2 人；团队周报：已推送 1 个团队"
    [team_card] = [c["card"] for c in await sent_cards(rt, f"group:{org.team}")]
    assert team_card["title"] == "团队周报：华东大客户部" and team_card["subtitle"] == "11-23 至 11-29"
    link = team_card["footer"].removeprefix("完整周报：").removeprefix(rt.settings.server.public_url)
    page = await client.get(link)
    assert page.status == 200 and "李娜" in await page.text() and "团队合计" in await page.text()
    assert (await client.get(link.replace("sig=", "sig=0"))).status == 403


async def test_insight_is_not_sent_on_thin_evidence(rt):
    org = await build_org(rt)
    result = await run_job(rt, "weekly_insight", datetime(2026, 11, 30, 9, 0))
    assert "已推送 0 个团队" in result.summary and "1 个团队证据不足" in result.summary
    assert await sent_cards(rt, f"group:{org.team}") == []


DEMO_ENDS_BEFORE = timedelta(hours=12)  # the demo's own last pushes are yesterday's
TODAY = "2026-11-27"  # the test clock's day in org time


async def test_demo_company_gets_every_push(rt):
    await seed_demo(rt.db, rt.settings, rt.clock.now() - DEMO_ENDS_BEFORE, days=2)
    summaries = {}
    for name in ("morning_breakpoints", "must_do", "daily_report", "weekly_report", "weekly_insight"):
        result = await run_job(rt, name)
        assert result.status == "done", result.error
        summaries[name] = result.summary
    must_do = re.match(r"今日必做：已推送 (\d+) 人，(\d+) 人今天没有到期事项", summaries["must_do"])
    pushed, quiet = map(int, must_do.groups())
    assert pushed > 0 and pushed + quiet == 19  # 20 reps, one of whom left and handed over (bot/demo/run.py)
    assert summaries["morning_breakpoints"].startswith("早会断点：已推送 3 位主管")
    assert summaries["daily_report"] == "日报：已推送 19 人；团队汇总：已推送 3 位主管"
    assert "3 个团队证据不足" in summaries["weekly_insight"]  # two days of deals: too thin for a suggestion
    assert len(await outbox_keys(rt, f"must_do:{TODAY}:")) == pushed


async def test_two_runtimes_and_a_crashed_run_send_each_push_once(rt_any, clock, monkeypatch):
    """Replica A crashes mid-run (its transaction rolls back); A and B then race for the same fire: one sends."""
    rt = rt_any
    await seed_demo(rt.db, rt.settings, rt.clock.now() - DEMO_ENDS_BEFORE, days=2)
    other = Runtime(rt.settings, clock=clock, db=type(rt.db)(rt.db.url), apis=rt.apis)
    real = push_mustdo.summary

    def crash(*args, **kwargs):
        raise RuntimeError("replica killed mid-run")

    try:
        monkeypatch.setattr(push_mustdo, "summary", crash)
        crashed = await run_job(rt, "must_do")
        assert crashed.status == "failed" and await outbox_keys(rt, f"must_do:{TODAY}:") == []
        monkeypatch.setattr(push_mustdo, "summary", real)
        results = await asyncio.gather(run_job(rt, "must_do"), run_job(other, "must_do"))
        assert sorted(r.ran for r in results) == [False, True]
        assert (await run_job(other, "must_do")).status == "already claimed"
    finally:
        await other.db.close()
    keys = await outbox_keys(rt, f"must_do:{TODAY}:")
    assert len(keys) == len(set(keys)) > 0


def test_gc_is_paused_while_pushes_overlap_and_left_as_it_was():
    assert gc.isenabled()
    with push_common.gc_paused():
        with push_common.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer push is still building
    assert gc.isenabled()
    gc.disable()
    try:
        with push_common.gc_paused():
            pass
        assert not gc.isenabled()  # someone else switched it off: they switch it back on
    finally:
        gc.enable()
