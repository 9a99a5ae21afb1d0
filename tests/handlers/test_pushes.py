"""今日必做 / 断点 / 催一下 / 日报 in chat: commands, buttons, permissions, and report submission gating."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.core import run_job
from storage.models import DailyReport, Nudge, Task
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import sent_cards
from tests.scheduler.push_helpers import build_org, drop_identities


def titles(card: dict) -> list[str]:
    return [s["title"] for s in card["sections"]]


async def test_today_command_and_done_and_snooze_buttons(client, rt):
    org = await build_org(rt)
    me = Chat(client, rt, f"dm:{org.rep}")
    [card] = await me.say(org.rep, "今日必做")
    assert card["title"] == "今日必做三件事" and titles(card)[0].startswith("① 推进恒信金融")
    [card] = await me.click(org.rep, button(card, "完成②"))  # the overdue 攻坚 action (a task): closed for good
    assert not any("攻坚" in t for t in titles(card)) and len(titles(card)) == 3
    async with rt.db.session() as s:
        assert (await s.get(Task, org.task)).done_at is not None
    [card] = await me.click(org.rep, button(card, "明天再做①"))
    assert not any("恒信金融" in t and "推进" in t for t in titles(card))
    [again] = await me.say(org.rep, "today")
    assert titles(again) == titles(card)


async def test_breakpoints_command_is_for_managers_and_nudge_reaches_the_owner_once(client, rt):
    org = await build_org(rt)
    boss = Chat(client, rt, f"dm:{org.boss}")
    [refused] = await Chat(client, rt, f"dm:{org.rep}").say(org.rep, "断点")
    assert refused["title"] == "这个操作做不了" and "主管" in refused["sections"][0]["text"]
    [card] = await boss.say(org.boss, "断点")
    assert card["title"] == "断点 Top 2：华东大客户部"
    [done] = await boss.click(org.boss, button(card, "催一下①"))
    assert done["title"] == "已催 李娜"
    nudge = (await sent_cards(rt, f"dm:{org.rep}"))[-1]["card"]
    assert nudge["title"] == "主管催一下" and "恒信金融" in nudge["sections"][0]["text"]
    assert [b["label"] for b in nudge["buttons"]] == ["看商机"]
    [twice] = await boss.say(org.boss, "催一下 1")
    assert twice["title"] == "今天已经催过了"
    [second] = await boss.say(org.boss, "催一下 2")
    assert second["title"] == "已催 李娜"
    [bad] = await boss.say(org.boss, "催一下 9")
    assert "1–2" in bad["sections"][0]["text"]
    async with rt.db.session() as s:
        assert len((await s.execute(select(Nudge))).scalars().all()) == 2


async def test_nudge_for_an_owner_without_identity_says_so(client, rt):
    org = await build_org(rt)
    await drop_identities(rt, org.rep)
    boss = Chat(client, rt, f"dm:{org.boss}")
    [card] = await boss.say(org.boss, "催一下 1")
    assert card["title"] == "没法催" and "李娜" in card["sections"][0]["text"]


async def test_daily_report_needs_a_reason_for_each_undone_item_before_submit(client, rt):
    org = await build_org(rt)
    await run_job(rt, "must_do")
    result = await run_job(rt, "daily_report")
    assert result.summary == "日报：已推送 2 人；团队汇总：已推送 1 位主管"
    me = Chat(client, rt, f"dm:{org.rep}")
    me.seen = 0
    cards = [c for c in await me._new() if c["title"].startswith("今日日报")]
    card = cards[-1]
    assert [b["label"] for b in card["buttons"]] == ["客户没回复", "时间不够", "优先级调整", "客户改期", "其他"]
    [refused] = await me.say(org.rep, "日报 提交")
    assert refused["title"] == "还不能提交" and len(refused["sections"][0]["items"]) == 3
    [card] = await me.click(org.rep, button(card, "客户没回复"))
    [card] = await me.say(org.rep, "日报 2 客户改期 下周二再约")  # pick-list words plus the rep's own
    undone = next(s for s in card["sections"] if s["title"].startswith("没做完"))["items"]
    assert [u.split(" — 原因：", 1)[1] for u in undone] == ["客户没回复", "客户改期：下周二再约", "待填写"]
    [card] = await me.click(org.rep, button(card, "其他"))
    assert [b["label"] for b in card["buttons"]] == ["确认提交"]
    [card] = await me.click(org.rep, button(card, "确认提交"))
    assert card["title"] == "今日日报（已提交）" and card["buttons"] == []
    async with rt.db.session() as s:
        report = (await s.execute(select(DailyReport).where(DailyReport.member_id == org.rep))).scalar_one()
    assert report.submitted_at is not None and len(report.summary["items"]) == 3
    rollup = (await Chat(client, rt, f"dm:{org.boss}").say(org.boss, "日报"))[-1]
    assert rollup["title"] == "团队日报：华东大客户部"
    assert any("李娜" in line and "已提交" in line for line in rollup["sections"][1]["items"])
