"""Bulk intake decides like one request after another; counters stay exact; concurrent intakes never exceed a
rep's capacity nor give one customer two owners (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import func, select

from cards.views import lead_card
from flows import lead_intake
from flows.lead_view import view
from sales.intake import IntakeInvalid
from scheduler.core import run_job
from storage.models import Contact, Customer, Lead, LeadEvent, LeadLoad
from storage.repos import members
from tests.helpers import sent_cards


def configure(rt, **leads) -> None:
    rt.settings.intake.channels = {"web": {"token": "t" * 20}}
    rt.settings.leads.skip_outside_hours = False
    for key, value in leads.items():
        setattr(rt.settings.leads, key, value)


def body(**fields) -> tuple[bytes, str]:
    return json.dumps(fields, ensure_ascii=False).encode(), "application/json"


async def rep(rt, name: str, capacity: int = 50) -> int:
    async with rt.db.session() as s:
        await members.upsert(s, name, {"capacity": capacity}, "华东", {})
        return (await members.by_name(s, name)).id


async def scalar(rt, stmt):
    async with rt.db.session() as s:
        return (await s.execute(stmt)).scalar_one()


async def counters_match_the_leads(rt) -> None:
    """Every counter equals what counting the lead table says."""
    async with rt.db.session() as s:
        stored = {r.member_id: r.open_leads for r in (await s.execute(select(LeadLoad))).scalars()}
        actual = dict((await s.execute(select(Lead.owner_id, func.count()).where(
            Lead.status.in_(("assigned", "accepted", "breached"))).group_by(Lead.owner_id))).all())
    assert {m: n for m, n in stored.items() if n} == actual


async def test_a_batch_decides_like_one_request_after_another(rt_any):
    rt = rt_any
    configure(rt)
    first, second = await rep(rt, "甲"), await rep(rt, "乙")
    x = body(手机号="13800000001", 公司="华东医疗")
    batch = [x, x, body(手机号="13800000001", 公司="别的公司"), body(手机号="13800000002", 公司="华东医疗"),
             body(姓名="没手机"), body(手机号="13800000003")]
    async with rt.db.session() as s:
        answers = await lead_intake.receive_many(await rt.context(s), "web", batch)
    lead = answers[0].lead_id
    assert [(a.lead_id, a.status, a.owner) for a in answers[:4]] == [
        (lead, "assigned", "甲"), (lead, "duplicate", "甲"), (lead, "duplicate", "甲"), (lead, "duplicate", "甲")]
    assert isinstance(answers[4], IntakeInvalid) and "mobile_phone" in answers[4].fields
    assert (answers[5].status, answers[5].owner) == ("assigned", "乙")
    assert await scalar(rt, select(func.count()).select_from(Customer)) == 2
    assert await scalar(rt, select(func.count()).select_from(Contact)) == 2  # coming back adds no contact
    async with rt.db.session() as s:
        kinds = [e.kind for e in (await s.execute(select(LeadEvent).where(LeadEvent.lead_id == lead)
                                                  .order_by(LeadEvent.id))).scalars()]
    assert kinds == ["received", "assigned", "duplicate", "came_back", "came_back"]
    titles = [c["card"]["title"] for c in await sent_cards(rt, f"dm:{first}")]
    assert titles == ["新线索：华东医疗", "老客户回来了：华东医疗", "老客户回来了：华东医疗"]
    assert [c["card"]["title"] for c in await sent_cards(rt, f"dm:{second}")] == ["新线索：138****0003"]
    await counters_match_the_leads(rt)


async def test_the_card_of_a_batched_lead_is_the_card_its_refresh_shows(rt):
    configure(rt)
    owner = await rep(rt, "甲")
    async with rt.db.session() as s:
        [answer] = await lead_intake.receive_many(await rt.context(s), "web", [body(手机号="13800000001", 需求="报价")])
    [sent] = await sent_cards(rt, f"dm:{owner}")
    async with rt.db.session() as s:
        ctx = await rt.context(s)
        card = lead_card(await view(ctx, await s.get(Lead, answer.lead_id)), "新线索：")
    assert sent["card"] == card.to_dict()  # same fields, countdown, reason and timeline as a refresh shows


async def test_counters_follow_reclaims_and_the_pool(rt):
    configure(rt, accept_minutes=30, cooldown_hours=1)
    await rep(rt, "甲", capacity=1)
    await rep(rt, "乙", capacity=1)
    async with rt.db.session() as s:
        answers = await lead_intake.receive_many(await rt.context(s), "web",
                                              [body(手机号=f"1380000000{i}") for i in range(3)])
    assert [a.status for a in answers] == ["assigned", "assigned", "queued"]
    await counters_match_the_leads(rt)
    rt.clock.advance(timedelta(minutes=31))
    summary = (await run_job(rt, "sla_scan")).summary
    assert "收回 2 条" in summary
    await counters_match_the_leads(rt)
    rt.clock.advance(timedelta(hours=2))
    await run_job(rt, "sla_scan")
    await counters_match_the_leads(rt)


async def test_concurrent_intakes_never_exceed_a_reps_capacity(rt_any):
    rt = rt_any
    configure(rt)
    reps = [await rep(rt, "甲", capacity=2), await rep(rt, "乙", capacity=1)]

    async def post(i: int):
        data, ctype = body(手机号=f"1390000{i:04d}")
        return await lead_intake.transact(rt, lambda ctx: lead_intake.receive(ctx, "web", data, ctype))

    answers = await asyncio.gather(*(post(i) for i in range(8)))
    assert sorted(a.status for a in answers) == ["assigned"] * 3 + ["queued"] * 5
    async with rt.db.session() as s:
        owned = dict((await s.execute(select(Lead.owner_id, func.count()).where(Lead.owner_id.is_not(None))
                                      .group_by(Lead.owner_id))).all())
    assert owned == {reps[0]: 2, reps[1]: 1}
    await counters_match_the_leads(rt)


async def test_concurrent_intakes_of_one_customer_make_one_lead_with_one_owner(rt_any):
    rt = rt_any
    configure(rt)
    for name in ("甲", "乙", "丙"):
        await rep(rt, name)

    async def post(i: int):  # the same person, a different company name each time
        data, ctype = body(手机号="13700001111", 公司=f"公司{i}")
        return await lead_intake.transact(rt, lambda ctx: lead_intake.receive(ctx, "web", data, ctype))

    answers = await asyncio.gather(*(post(i) for i in range(6)))
    assert len({a.lead_id for a in answers}) == 1 and len({a.owner for a in answers}) == 1
    assert sorted(a.status for a in answers) == ["assigned"] + ["duplicate"] * 5
    assert await scalar(rt, select(func.count()).select_from(Customer)) == 1
    rt.clock.advance(timedelta(days=rt.settings.leads.dedupe_window_days + 1))  # the customer comes back later
    again = await asyncio.gather(*(post(i) for i in range(10, 16)))
    assert sorted(a.status for a in again) == ["assigned"] + ["duplicate"] * 5
    assert {a.owner for a in again} == {answers[0].owner}
    assert await scalar(rt, select(func.count()).select_from(Lead)) == 2


async def test_a_returning_customer_keeps_its_owner_even_a_manager_and_is_counted(rt):
    configure(rt, dedupe_window_days=1)
    await rep(rt, "甲")
    async with rt.db.session() as s:
        await members.upsert(s, "主管", {"role": "manager", "capacity": 0}, "华东", {})
        boss = (await members.by_name(s, "主管")).id
    async with rt.db.session() as s:
        ctx = await rt.context(s)
        [first] = await lead_intake.receive_many(ctx, "web", [body(手机号="13800000001", 公司="华东医疗")])
        customer = await s.get(Customer, (await s.get(Lead, first.lead_id)).customer_id)
        customer.owner_id = boss  # the manager took the account over
    rt.clock.advance(timedelta(days=2))
    async with rt.db.session() as s:
        [again] = await lead_intake.receive_many(await rt.context(s), "web", [body(手机号="13800000001")])
    assert (again.status, again.owner) == ("assigned", "主管") and again.lead_id != first.lead_id
    async with rt.db.session() as s:
        lead = await s.get(Lead, again.lead_id)
        assert lead.assign_reason == "老客户，仍归原负责人（一个客户只有一个负责人）"
        assert (await s.get(LeadLoad, boss)).open_leads == 1


async def test_lead_events_racing_on_two_replicas_retry_inside_the_handlers_transaction(rt_any):
    rt = rt_any
    configure(rt)
    for name in ("甲", "乙", "丙"):
        await rep(rt, name)

    async def handle(i: int):  # each as the leads handler runs it: in the dispatcher's open transaction
        data, ctype = body(手机号="13700001111", 公司=f"公司{i}")
        async with rt.db.session() as s:
            ctx = await rt.context(s)
            return await lead_intake.take(ctx, await lead_intake.check(ctx, "web", data, ctype))

    answers = await asyncio.gather(*(handle(i) for i in range(6)))
    assert sorted(a.status for a in answers) == ["assigned"] + ["duplicate"] * 5
    assert len({a.lead_id for a in answers}) == 1 and len({a.owner for a in answers}) == 1
    assert await scalar(rt, select(func.count()).select_from(Customer)) == 1
    await counters_match_the_leads(rt)
