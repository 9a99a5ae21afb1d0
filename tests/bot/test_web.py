"""Routes: health, readiness, metrics, the read API, body limits and archived refusals."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import RejectedRequest
from tests.helpers import add_member, message, sent_cards

AUTH = {"Authorization": "Bearer test-admin-token"}


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"


async def test_readiness_fails_when_migrations_are_behind(client, rt):
    async with rt.db.engine.begin() as conn:
        # one row per head (feature migrations are parallel heads): set back just one of them
        await conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'old' "
                                   "WHERE version_num = (SELECT MIN(version_num) FROM alembic_version)")
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 503 and "salesbot db upgrade" in body["fix"]


async def test_metrics_count_events_outbox_and_latency(client, rt):
    rep = await add_member(rt, "高远")
    body = message(rep, "@销售助手 帮助", client_id="dup")
    await client.post("/playground/api/message", json=body)
    await client.post("/playground/api/message", json=body)
    await sent_cards(rt)
    text = await (await client.get("/metrics")).text()
    assert 'salesbot_events_received_total{platform="playground"} 2' in text
    assert 'salesbot_events_deduplicated_total{platform="playground"} 1' in text
    assert 'salesbot_outbox_messages{status="sent"} 1' in text
    assert "salesbot_handler_seconds_bucket" in text


async def test_read_api_needs_the_bearer_token(client):
    assert (await client.get("/api/v1/members")).status == 401
    wrong = await client.get("/api/v1/members", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401 and "bearer" in (await wrong.json())["error"]


async def test_read_api_pages_through_members_and_opportunities(client, rt):
    ids = [await add_member(rt, f"成员{i}") for i in range(5)]
    page = await (await client.get("/api/v1/members?limit=2", headers=AUTH)).json()
    assert [m["id"] for m in page["items"]] == ids[:2]
    assert set(page["items"][0]) >= {"id", "name", "role", "team"}
    names = [m["name"] for m in page["items"]]
    while page["next"]:
        page = await (await client.get(page["next"], headers=AUTH)).json()
        names += [m["name"] for m in page["items"]]
    assert names == [f"成员{i}" for i in range(5)]
    await client.post("/playground/api/message", json=message(ids[0], "@销售助手 新建商机 华东医疗 预算50万"))
    await sent_cards(rt)
    opps = await (await client.get("/api/v1/opportunities", headers=AUTH)).json()
    assert opps["items"][0]["stage"] == "需求确认" and opps["items"][0]["customer"] == "华东医疗"
    assert opps["next"] is None
    for name in ("leads", "tasks"):
        assert (await client.get(f"/api/v1/{name}", headers=AUTH)).status == 200


async def test_bad_paging_parameters_are_400(client):
    resp = await client.get("/api/v1/members?limit=5000", headers=AUTH)
    assert resp.status == 400 and "limit" in (await resp.json())["fields"]


async def test_malformed_bodies_get_the_reason_and_are_archived(client, rt):
    resp = await client.post("/playground/api/message", data=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status == 400 and "not valid JSON" in (await resp.json())["error"]
    resp = await client.post("/playground/api/message", json={"member_id": 1, "chat_id": "group:1"})
    assert resp.status == 400 and "text" in (await resp.json())["fields"]
    resp = await client.post("/playground/api/click", json={"member_id": 1, "chat_id": "group:1",
                                                            "value": "nope|1", "client_id": "c"})
    assert resp.status == 400 and "unknown action" in (await resp.json())["error"]
    async with rt.db.sessions() as s:
        rows = (await s.execute(select(RejectedRequest))).scalars().all()
    assert [r.status for r in rows] == [400, 400, 400]
    assert rows[0].body == "{not json"


async def test_bodies_over_the_limit_get_413(client, rt):
    big = b"x" * (rt.settings.server.max_body_bytes + 1)
    resp = await client.post("/playground/api/message", data=big)
    assert resp.status == 413 and "limit" in (await resp.json())["error"]


async def test_playground_page_state_timeline_and_clock(client, rt):
    rep = await add_member(rt, "宋佳")
    page = await client.get("/playground")
    assert page.status == 200 and "销售助手" in await page.text()
    state = await (await client.get("/playground/api/state")).json()
    assert any(m["name"] == "宋佳" for m in state["members"]) and "sla_scan" in state["jobs"]
    await client.post("/playground/api/message", json=message(rep, "@销售助手 帮助"))
    await sent_cards(rt)
    timeline = await (await client.get("/playground/api/timeline?chat_id=group:1")).json()
    assert [i["from"] for i in timeline["items"]] == ["user", "bot"]
    later = await (await client.get(f"/playground/api/timeline?chat_id=group:1&after={timeline['cursor']}")).json()
    assert later["items"] == []
    before = rt.clock.now()
    moved = await (await client.post("/playground/api/clock", json={"advance_minutes": 60})).json()
    assert moved["now"] > before.isoformat()
    outbox_view = await (await client.get("/playground/api/outbox")).json()
    assert outbox_view["items"][0]["status"] == "sent"
