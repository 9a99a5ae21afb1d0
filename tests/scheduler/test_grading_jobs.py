"""The grading jobs end to end: the dormant trigger with a moved clock, the activation plan, cadence items
in the must-do list, and the quarterly review (propose → partial approve → only approved grades change)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.vocab import Grade
from flows import regrade
from sales.stages import pipeline_from_config
from scheduler.core import run_job
from storage.models import Customer, CustomerEvent, GradeHistory, GradeProposal, Interaction, Member, Task
from storage.repos import push_reports, pushes
from tests.flows.grading_helpers import D, add_customer, add_interactions, add_orders
from tests.handlers.opp_helpers import Chat
from tests.helpers import add_member, sent_cards


async def _customer(rt, cid: int) -> Customer:
    async with rt.db.session() as s:
        return await s.get(Customer, cid)


async def _regular(rt, owner: int, name: str, amount: int = 50_000) -> int:
    """A customer ordering every quarter for two years, with a visit every two weeks until now."""
    now = rt.clock.now()
    cid = await add_customer(rt, name, owner)
    await add_orders(rt, cid, [(now - (720 - 91 * q) * D, amount) for q in range(8)])
    await add_interactions(rt, cid, owner, [("visit", now - k * 14 * D) for k in range(6)])
    return cid


async def test_quiet_customer_whose_value_rises_is_woken_with_a_plan(client, rt):
    rep = await add_member(rt, "李娜")
    rt.settings.grading.min_fit_customers = 1000  # the trend model: a deterministic small case
    cid = await _regular(rt, rep, "宏达制造")
    for k in range(3):  # smaller, quieter customers, so 宏达制造 starts as a 战略伙伴
        await add_orders(rt, await add_customer(rt, f"小客户{k}", rep), [(rt.clock.now() - 200 * D, 5_000)])
    first = await run_job(rt, "grading")
    assert "首次分级 4 位" in first.summary and "通知 1 人" in first.summary
    assert (await _customer(rt, cid)).grade == Grade.STRATEGIC
    rt.clock.advance(31 * D)  # a month of silence, while the customer keeps buying
    await add_orders(rt, cid, [(rt.clock.now() - D, 200_000)])
    result = await run_job(rt, "grading")
    assert "休眠唤醒 1 位（发唤醒计划 1 份）" in result.summary
    assert (await _customer(rt, cid)).grade == Grade.DORMANT
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{rep}") if c["card"]["title"] == "唤醒宏达制造"]
    assert "31 天没有互动" in card["sections"][0]["text"]
    checks = card["sections"][1]["checks"]
    assert [c["label"].split("：")[0] for c in checks] == ["免费诊断报告", "行业白皮书", "老客户回访", "新品试用邀请"]
    assert "/m/" in checks[1]["label"]
    rt.clock.advance(timedelta(hours=2))
    ticked = (await Chat(client, rt, f"dm:{rep}").click(rep, checks[0]["value"]))[-1]
    assert ticked["sections"][1]["checks"][0]["done"] is True
    async with rt.db.session() as s:
        notes = (await s.execute(select(Interaction.note).where(Interaction.customer_id == cid,
                                                                Interaction.at == rt.clock.now()))).scalars().all()
        kinds = (await s.execute(select(GradeHistory.source).where(GradeHistory.customer_id == cid))).scalars().all()
        events = (await s.execute(select(CustomerEvent.kind).where(CustomerEvent.customer_id == cid))).scalars().all()
    assert notes == ["唤醒计划：免费诊断报告"] and kinds == ["first", "dormant"] and events == ["graded", "graded"]
    again = await run_job(rt, "grading", rt.clock.now() + timedelta(minutes=5))
    assert "休眠唤醒 0 位" in again.summary  # once: already 休眠唤醒; the tick was an interaction, so it revives
    assert "恢复 1 位" in again.summary


async def test_cadence_items_reach_the_must_do_list(rt):
    rep = await add_member(rt, "李娜")
    cid = await add_customer(rt, "恒信金融", rep, grade=Grade.STRATEGIC.value)
    await add_orders(rt, cid, [(rt.clock.now() - 100 * D, 80_000)])
    result = await run_job(rt, "grading")
    assert "节奏任务新增 1 条" in result.summary
    async with rt.db.session() as s:
        [task] = (await s.execute(select(Task).where(Task.kind == "cadence"))).scalars().all()
        pipeline = pipeline_from_config(rt.settings.opportunities.stages)
        items = (await pushes.must_do(s, rt.clock.now(), "2026-11-27", pipeline, [rep]))[rep]
    assert task.title.startswith("战略伙伴·恒信金融：7天内要2次深度互动") and task.ref == f"customer:{cid}"
    assert any(i.key == f"task:{task.id}" for i in items)
    await run_job(rt, "must_do")  # what was pushed this morning is the daily report's list
    async with rt.db.session() as s:
        report = (await push_reports.report_items(s, "2026-11-27", rt.clock.now() - 9 * timedelta(hours=1), [rep]))
    assert [(i.key, i.done) for i in report[rep]] == [(f"task:{task.id}", False)]  # undone: needs a reason
    again = await run_job(rt, "grading", rt.clock.now() + timedelta(minutes=1))
    assert "节奏任务新增 0 条" in again.summary  # one task per window
    await add_interactions(rt, cid, rep, [("visit", rt.clock.now()), ("demo", rt.clock.now())])
    done = await run_job(rt, "grading", rt.clock.now() + timedelta(minutes=2))
    assert "完成 1 条" in done.summary


async def test_quarterly_review_changes_only_what_the_manager_approved(client, rt):
    boss = await add_member(rt, "周主管", role="manager")
    rep = await add_member(rt, "李娜")
    rt.settings.grading.min_fit_customers = 1000
    ids = [await _regular(rt, rep, f"客户{k}", amount=10_000 * (k + 1)) for k in range(4)]
    async with rt.db.session() as s:
        for cid in ids:  # everyone starts as 战略伙伴; only the most valuable one still is
            (await s.get(Customer, cid)).grade = Grade.STRATEGIC.value
    result = await run_job(rt, "regrade_quarterly")
    assert result.summary.startswith("季度分级复核：2026Q3 新增调整建议")
    async with rt.db.session() as s:
        props = (await s.execute(select(GradeProposal).order_by(GradeProposal.id))).scalars().all()
    assert len(props) >= 2 and all(p.status == "pending" for p in props)
    assert {(await _customer(rt, i)).grade for i in ids} == {Grade.STRATEGIC}  # unchanged before approval
    assert {p.to_grade for p in props} == {Grade.GROWTH} and len(props) == 3
    [card] = [c["card"] for c in await sent_cards(rt, f"dm:{boss}")]
    assert card["title"].endswith("2026Q3 分级复核")
    boss_chat = Chat(client, rt, f"dm:{boss}")
    [refused] = await Chat(client, rt, f"dm:{rep}").say(rep, "分级复核")
    assert refused["title"] == "这个操作做不了"
    await boss_chat.say(boss, f"分级复核 通过 {props[0].id}")
    if len(props) > 1:
        await boss_chat.say(boss, f"分级复核 驳回 {props[1].id} 下季度有大单在谈")
    async with rt.db.session() as s:
        after = {p.id: p for p in (await s.execute(select(GradeProposal))).scalars()}
    assert after[props[0].id].status == "approved"
    assert (await _customer(rt, props[0].customer_id)).grade == props[0].to_grade
    for p in props[1:]:
        assert (await _customer(rt, p.customer_id)).grade == p.from_grade  # nothing changes before approval
    if len(props) > 1:
        assert after[props[1].id].status == "rejected" and after[props[1].id].decision_note == "下季度有大单在谈"
    told = [c["card"]["title"] for c in await sent_cards(rt, f"dm:{rep}")]
    assert any(t.endswith(f"调整为{props[0].to_grade}") for t in told)
    assert any(t.endswith(f"保持{props[1].from_grade}") for t in told)  # the rejection, with its reason
    [left] = await boss_chat.say(boss, "分级复核 通过 全部")
    assert "没有待复核的调整建议" in left["sections"][0]["text"]
    assert (await _customer(rt, props[2].customer_id)).grade == props[2].to_grade
    assert (await _customer(rt, props[1].customer_id)).grade == props[1].from_grade  # rejected stays rejected


async def test_switched_off_grading_computes_nothing(rt):
    rt.settings.features.grading = False
    assert (await run_job(rt, "grading")).summary == "客户分级：功能未开启（[features] grading = false），未计算"


async def test_the_jobs_and_the_review_on_each_backend(rt_any):
    rt = rt_any
    boss = await add_member(rt, "周主管", role="manager")
    rep = await add_member(rt, "李娜")
    rt.settings.grading.min_fit_customers = 1000
    ids = [await _regular(rt, rep, f"客户{k}", amount=10_000 * (k + 1)) for k in range(4)]
    assert "首次分级 4 位" in (await run_job(rt, "grading")).summary
    rt.clock.advance(31 * D)
    await add_orders(rt, ids[3], [(rt.clock.now() - D, 500_000)])
    assert "休眠唤醒 1 位" in (await run_job(rt, "grading")).summary
    async with rt.db.session() as s:
        for cid in ids[:3]:
            (await s.get(Customer, cid)).grade = Grade.STRATEGIC.value
    assert "新增调整建议 3 条" in (await run_job(rt, "regrade_quarterly")).summary
    async with rt.db.session() as s:
        props = (await s.execute(select(GradeProposal).order_by(GradeProposal.id))).scalars().all()
        boss_row = await s.get(Member, boss)
        decided = await regrade.approve(s, boss, boss_row.team_id, False, rt.clock.now(), ids=[props[0].id])
    assert [d.proposal.id for d in decided] == [props[0].id]
    assert (await _customer(rt, props[0].customer_id)).grade == props[0].to_grade
    assert [(await _customer(rt, p.customer_id)).grade for p in props[1:]] == [p.from_grade for p in props[1:]]
