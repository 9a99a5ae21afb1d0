"""The pool (公海): reclaim windows with warnings and the reset by a follow-up, exemptions, claims and releases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.vocab import CustomerEventKind, Grade, LeadStatus
from scheduler.core import run_job
from storage.models import Customer, CustomerEvent, LeadLoad, Opportunity, Order
from tests.handlers.lead_helpers import dm, events, lead, new_lead
from tests.helpers import add_member, sent_cards

DAY = timedelta(days=1)


def _pool(rt, **values) -> None:
    for key, value in {"reclaim_days_without_follow_up": 10, "reclaim_days_without_deal": 90,
                       "warn_days_before": 2, **values}.items():
        setattr(rt.settings.pool, key, value)
    rt.settings.leads.accept_minutes = 100 * 24 * 60


async def _customer(rt, name: str) -> Customer:
    async with rt.db.session() as s:
        return (await s.execute(select(Customer).where(Customer.name == name))).scalar_one()


async def _events(rt) -> list[tuple[str, int | None, int | None, str]]:
    async with rt.db.session() as s:
        rows = (await s.execute(select(CustomerEvent).order_by(CustomerEvent.id))).scalars()
        return [(e.kind, e.owner_from, e.owner_to, e.reason) for e in rows]


async def _titles(rt, member: int) -> list[str]:
    return [c["card"]["title"] for c in await sent_cards(rt, f"dm:{member}")]


async def test_reclaim_warns_first_a_follow_up_resets_then_the_pool(client, rt):
    _pool(rt)
    rep = await add_member(rt, "李娜")
    lead_id, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    start = rt.clock.now()
    rt.clock.set(start + 7 * DAY)
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 0 个，预警 0 个")
    rt.clock.set(start + 8 * DAY + timedelta(hours=1))
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 0 个，预警 1 个")
    assert (await _titles(rt, rep))[-1] == "1 个客户快进公海了"
    rt.clock.set(start + 9 * DAY)
    await (await dm(client, rt, rep)).say(rep, "跟进 华东医疗 又聊了一次")
    rt.clock.set(start + 11 * DAY)
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 0 个，预警 0 个")
    rt.clock.set(start + 17 * DAY + timedelta(hours=1))
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 0 个，预警 1 个")  # warned again
    rt.clock.set(start + 19 * DAY + timedelta(hours=1))
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 1 个")
    customer = await _customer(rt, "华东医疗")
    assert (customer.owner_id, customer.in_pool) == (None, True)
    row = await lead(rt, lead_id)
    assert (row.status, row.owner_id) == (LeadStatus.POOL, None)
    assert (await events(rt, lead_id))[-1] == ("pool", rep, "10 天没有跟进")
    assert await _events(rt) == [(CustomerEventKind.RECLAIMED, rep, None, "10 天没有跟进")]
    assert (await _titles(rt, rep))[-1] == "1 个客户已收回公海"
    async with rt.db.session() as s:
        assert (await s.get(LeadLoad, rep)).open_leads == 0


async def test_open_deal_recent_order_and_grade_window_exempt(client, rt):
    _pool(rt, reclaim_days_by_grade={Grade.STRATEGIC.value: 60})
    rep = await add_member(rt, "李娜")
    for i, name in enumerate(("有商机", "有订单", "战略客户", "没人管")):
        await new_lead(rt, f"1380013800{i}", name)
    async with rt.db.session() as s:
        ids = {c.name: c for c in (await s.execute(select(Customer))).scalars()}
        s.add(Opportunity(customer_id=ids["有商机"].id, owner_id=rep, status="open", created_at=rt.clock.now()))
        s.add(Order(customer_id=ids["有订单"].id, owner_id=rep, amount=1000, ordered_at=rt.clock.now(),
                    source="import"))
        ids["战略客户"].grade = Grade.STRATEGIC.value
    rt.clock.advance(11 * DAY)
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 1 个")
    assert [(await _customer(rt, n)).in_pool for n in ("有商机", "有订单", "战略客户", "没人管")] == [
        False, False, False, True]


async def test_claim_limits_cooldown_and_release_rules(client, rt):
    _pool(rt, max_claims_per_day=1, claim_cooldown_days=7)
    old, new = await add_member(rt, "李娜"), await add_member(rt, "王强")
    await new_lead(rt, "13800138001", "华东医疗")
    await new_lead(rt, "13800138002", "华北物流")
    old_chat, new_chat = await dm(client, rt, old), await dm(client, rt, new)
    owners = {n: (await _customer(rt, n)).owner_id for n in ("华东医疗", "华北物流")}
    assert set(owners.values()) == {old, new}
    mine = next(n for n, o in owners.items() if o == old)
    theirs = next(n for n in owners if n != mine)
    (refused,) = await old_chat.say(old, f"放弃 {theirs} 不想要")
    assert refused["title"] == f"放弃不了：{theirs}" and "只有负责人自己" in refused["sections"][0]["text"]
    (usage,) = await old_chat.say(old, f"放弃 {mine}")
    assert usage["title"] == "放弃要写客户和原因"
    (done,) = await old_chat.say(old, f"放弃 {mine} 预算取消")
    assert done["title"] == f"已放回公海：{mine}"
    (listing,) = await new_chat.say(new, "公海")
    assert listing["title"] == "公海：1 个可领取" and listing["buttons"][0]["label"] == f"领取 {mine}"
    (cool,) = await old_chat.say(old, f"领取 {mine}")
    assert cool["title"] == f"领取不了：{mine}" and "冷却期" in cool["sections"][0]["text"]
    (ok,) = await new_chat.click(new, listing["buttons"][0]["value"])
    assert ok["title"] == f"领取成功：{mine}"
    leads = [await lead(rt, i) for i in (1, 2)]
    assert {(x.owner_id, x.status) for x in leads} == {(new, LeadStatus.ACCEPTED), (new, LeadStatus.ASSIGNED)}
    await new_chat.say(new, f"放弃 {theirs} 重复客户")
    (limit,) = await new_chat.say(new, f"领取 {theirs}")
    assert "今天已经领取了 1 个" in limit["sections"][0]["text"]
    kinds = [k for k, *_ in await _events(rt)]
    assert kinds == [CustomerEventKind.RELEASED, CustomerEventKind.CLAIMED, CustomerEventKind.RELEASED]


async def test_reclaim_on_each_backend_is_once(rt_any):
    rt = rt_any
    _pool(rt)
    rep = await add_member(rt, "李娜")
    lead_id, _, _ = await new_lead(rt, "13800138001", "华东医疗")
    rt.clock.advance(11 * DAY)
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 1 个")
    rt.clock.advance(DAY)
    assert (await run_job(rt, "pool_reclaim")).summary.startswith("收回公海 0 个")
    assert (await lead(rt, lead_id)).status == LeadStatus.POOL
    assert await _events(rt) == [(CustomerEventKind.RECLAIMED, rep, None, "10 天没有跟进")]
