"""Intake on the one event path: a POST becomes a lead event in the inbox, the leads handler (not the route)
creates the lead, a repeat creates nothing twice, and the route answers within its bounded wait."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from bot.config.checks import check_all
from bot.core.events import Event
from bot.core.lead_submitted import LeadSubmitted
from bot.core.routing import RouteTable
from flows import lead_intake, lead_submission
from handlers import ROUTERS
from handlers import lead_intake as intake_handler
from storage.models import Customer, Lead, LeadEvent
from storage.repos import inbox
from tests.bot.platforms.intake.test_routes import configure, count, post
from tests.conftest import make_settings
from tests.helpers import add_member, sent_cards

PAYLOAD = {"姓名": "张伟", "手机号": "13800138000", "公司": "华东医疗", "utm_campaign": "双11"}


async def inbox_rows(rt) -> list:
    return await inbox.recent(rt.db, "intake", None)


async def kinds(rt, lead_id: int) -> list[str]:
    async with rt.db.session() as s:
        rows = await s.execute(select(LeadEvent.kind).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id))
        return list(rows.scalars())


def gate_the_handler(monkeypatch) -> asyncio.Event:
    """Hold the leads handler until the test opens the gate (so the route's wait certainly runs out)."""
    gate, real = asyncio.Event(), lead_intake.take

    async def held(ctx, sub: LeadSubmitted):
        await gate.wait()
        return await real(ctx, sub)

    monkeypatch.setattr(lead_intake, "take", held)
    return gate


async def test_a_post_is_a_lead_event_in_the_inbox_and_the_handler_makes_the_lead(client, rt):
    configure(rt)
    await add_member(rt, "李娜")
    resp = await post(client, PAYLOAD)
    body = await resp.json()
    assert resp.status == 201 and body["status"] == "assigned" and body["owner"] == "李娜"
    [row] = await inbox_rows(rt)
    assert (row.platform, row.kind, row.status) == ("intake", "lead", "done")
    sub = LeadSubmitted.of(Event.from_dict(row.event))
    assert (sub.channel, sub.key, sub.mobile, sub.company, sub.source) == (
        "web_form", row.dedupe_key, "13800138000", "华东医疗", "官网")
    assert sub.unmapped == {"utm_campaign": "双11"} and sub.posted == PAYLOAD
    async with rt.db.session() as s:
        assert (await s.get(Lead, body["lead_id"])).intake_key == row.dedupe_key


async def test_without_the_leads_handler_the_route_creates_no_lead(client, rt):
    configure(rt)
    await add_member(rt, "王强")
    rt.routes = RouteTable([r for r in ROUTERS if r is not intake_handler.router], rt.feature_on)
    resp = await post(client, PAYLOAD)
    assert resp.status == 503 and resp.headers["Retry-After"] == "5"
    assert await count(rt, Lead) == 0 and await count(rt, Customer) == 0
    assert [(r.kind, r.status) for r in await inbox_rows(rt)] == [("lead", "done")]


async def test_the_lead_event_alone_makes_the_lead_and_its_replay_makes_nothing(rt):
    configure(rt)
    rep = await add_member(rt, "周杰")
    async with rt.db.session() as s:
        sub = await lead_intake.check(await rt.context(s), "web_form", json.dumps(PAYLOAD).encode(),
                                      "application/json")
    assert (await rt.dispatcher.ingest(lead_submission.event_of(sub))).new
    assert [c["card"]["title"] for c in await sent_cards(rt, f"dm:{rep}")] == ["新线索：华东医疗"]
    replay = await rt.dispatcher.ingest(lead_submission.event_of(sub))
    assert not replay.new
    assert [c["card"]["title"] for c in await sent_cards(rt, f"dm:{rep}")] == ["新线索：华东医疗"]
    assert await count(rt, Lead) == 1 and await count(rt, Customer) == 1 and len(await inbox_rows(rt)) == 1


async def test_a_repeated_submission_creates_nothing_twice(client, rt):
    configure(rt)
    rep = await add_member(rt, "孙丽")
    first = await (await post(client, PAYLOAD)).json()
    again = await post(client, PAYLOAD)
    assert again.status == 201 and await again.json() == {**first, "status": "duplicate"}
    assert await kinds(rt, first["lead_id"]) == ["received", "assigned"]
    back = {"telephone": "138 0013 8000", "name": "李工"}  # the same person through another form: merged
    merged = [await (await post(client, back)).json() for _ in range(2)]
    assert merged == [{"lead_id": first["lead_id"], "status": "duplicate", "owner": "孙丽"}] * 2
    assert await kinds(rt, first["lead_id"]) == ["received", "assigned", "came_back"]
    titles = [c["card"]["title"] for c in await sent_cards(rt, f"dm:{rep}")]
    assert titles == ["新线索：华东医疗", "老客户回来了：华东医疗"]
    assert await count(rt, Lead) == 1 and len(await inbox_rows(rt)) == 2


async def test_past_the_wait_the_lead_is_safe_and_the_same_body_fetches_the_answer(client, rt, monkeypatch):
    configure(rt)
    await add_member(rt, "冯达")
    rt.settings.intake.answer_timeout = 0  # the held handler cannot finish in time
    gate = gate_the_handler(monkeypatch)
    resp = await post(client, PAYLOAD)
    assert resp.status == 503 and resp.headers["Retry-After"] == "5" and "lead_id" in (await resp.json())["error"]
    assert await count(rt, Lead) == 0
    assert [(r.kind, r.status) for r in await inbox_rows(rt)] == [("lead", "processing")]
    assert (await post(client, PAYLOAD)).status == 503  # still being handled: no answer yet, nothing twice
    gate.set()
    await rt.dispatcher.drain()
    later = await post(client, PAYLOAD)
    body = await later.json()
    assert later.status == 201 and body["status"] == "duplicate" and body["owner"] == "冯达"
    assert await count(rt, Lead) == 1 and [r.status for r in await inbox_rows(rt)] == ["done"]


async def test_a_handler_failure_is_retried_by_the_same_submission(client, rt, monkeypatch):
    configure(rt)
    await add_member(rt, "韩梅")
    real = lead_intake.take

    async def broken(ctx, sub):
        raise RuntimeError("database went away")

    monkeypatch.setattr(lead_intake, "take", broken)
    failed = await post(client, PAYLOAD)
    assert failed.status == 503 and "database" not in await failed.text()
    assert [r.status for r in await inbox_rows(rt)] == ["failed"]
    html = await (await client.get("/intake/expo/form")).text()
    token = html.split('name="_csrf" value="')[1].split('"')[0]
    form = await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001234", "姓名": "林"})
    assert form.status == 503 and "没有提交成功" in await form.text()  # never a thank-you for a lost lead
    monkeypatch.setattr(lead_intake, "take", real)
    retried = await post(client, PAYLOAD)
    assert retried.status == 201 and (await retried.json())["status"] == "assigned"
    assert await count(rt, Lead) == 1 and [r.status for r in await inbox_rows(rt)] == ["done", "failed"]


async def test_the_expo_form_thanks_the_person_even_past_the_wait(client, rt, monkeypatch):
    configure(rt)
    await add_member(rt, "蒋涛")
    rt.settings.intake.answer_timeout = 0
    gate = gate_the_handler(monkeypatch)
    html = await (await client.get("/intake/expo/form")).text()
    token = html.split('name="_csrf" value="')[1].split('"')[0]
    resp = await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001234", "姓名": "林"})
    assert resp.status == 202 and "提交成功" in await resp.text()
    gate.set()
    await rt.dispatcher.drain()
    assert await count(rt, Lead) == 1


def test_the_wait_must_be_a_few_seconds(sqlite_url):
    settings = make_settings(sqlite_url)
    assert check_all(settings) == []
    settings.intake.answer_timeout = 0
    assert [p.key for p in check_all(settings)] == ["intake.answer_timeout"]
