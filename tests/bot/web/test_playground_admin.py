"""GET /playground/api/admin: the lead numbers, open intake rejects and dead letters for the playground's 管理视图."""

from __future__ import annotations

import json
from datetime import timedelta

from storage.models import Lead
from storage.repos import outbox
from tests.helpers import add_member, sent_cards

TOKEN = "web-token-0123456789"


async def _post(client, body: dict):
    return await client.post("/intake/web", data=json.dumps(body, ensure_ascii=False).encode(),
                             headers={"Content-Type": "application/json", "X-Intake-Token": TOKEN})


async def test_an_empty_org_shows_zeros_and_no_rates(client):
    resp = await client.get("/playground/api/admin")
    assert resp.status == 200
    body = await resp.json()
    assert body["leads"] == 0 and body["auto_distribution_rate"] is None
    assert body["median_first_response_minutes"] is None and body["breaches_per_team"] == {}
    assert body["intake_rejects_open"] == 0 and body["outbox_dead"] == 0


async def test_numbers_rejects_and_dead_letters_are_counted(client, rt):
    rt.settings.intake.channels = {"web": {"token": TOKEN}}
    rep = await add_member(rt, "李娜")
    ids = [(await (await _post(client, {"手机号": f"1380013800{i}", "公司": f"客户{i}"})).json())["lead_id"]
           for i in range(2)]
    assert (await _post(client, {"客户号码": "13800138009"})).status == 400  # nothing maps to a mobile
    await sent_cards(rt, f"dm:{rep}")
    async with rt.db.session() as s:
        answered, late = await s.get(Lead, ids[0]), await s.get(Lead, ids[1])
        answered.first_response_at = answered.received_at + timedelta(minutes=30)
        late.breached_at = late.received_at + timedelta(hours=4)
    async with rt.db.session() as s:  # a platform that is not enabled: the sender dead-letters it
        text = {"msgtype": "text", "text": {"content": "hi"}}
        await outbox.enqueue(s, "t:1", "wecom", "zhangsan", text, rt.clock.now())
    await sent_cards(rt, f"dm:{rep}")
    body = await (await client.get("/playground/api/admin")).json()
    assert (body["leads"], body["auto_assigned"], body["auto_distribution_rate"]) == (2, 2, 1.0)
    assert body["median_first_response_minutes"] == 30
    assert body["breaches_per_team"] == {"华东大客户部": 1}
    assert body["intake_rejects_open"] == 1 and body["outbox_dead"] == 1
