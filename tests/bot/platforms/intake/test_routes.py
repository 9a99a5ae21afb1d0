"""POST /intake/{channel} and the expo form: auth, mapping, dedupe, distribution, the owner's card, replay."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.cli.intake import replay
from storage.models import Customer, IntakeReject, Lead, LeadEvent, RejectedRequest
from tests.helpers import add_member, sent_cards

TOKEN = "web-token-0123456789"
SECRET = "douyin-secret"


def configure(rt, **leads) -> None:
    rt.settings.intake.channels = {
        "web_form": {"token": TOKEN, "field_map": {"联系方式": "mobile_phone"}, "default_source": "官网"},
        "douyin": {"secret": SECRET, "default_source": "抖音"},
        "expo": {"token": "x" * 20, "form": True},
    }
    for key, value in leads.items():
        setattr(rt.settings.leads, key, value)


async def post(client, body: dict, channel: str = "web_form", token: str = TOKEN, **headers):
    return await client.post(f"/intake/{channel}", data=json.dumps(body, ensure_ascii=False).encode(),
                             headers={"Content-Type": "application/json", "X-Intake-Token": token, **headers})


async def count(rt, model) -> int:
    async with rt.db.session() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_lead_with_chinese_field_names_is_mapped_assigned_and_carded(client, rt):
    configure(rt)
    rep = await add_member(rt, "李娜")
    resp = await post(client, {"姓名": "张伟", "手机号": "+86 138-0013-8000", "公司": "华东医疗有限公司",
                               "需求": "影像设备", "utm_campaign": "双11"})
    assert resp.status == 201
    body = await resp.json()
    assert body["status"] == "assigned" and body["owner"] == "李娜" and body["lead_id"]
    async with rt.db.session() as s:
        lead = await s.get(Lead, body["lead_id"])
        customer = await s.get(Customer, lead.customer_id)
    assert lead.mobile == "13800138000" and lead.source == "官网" and lead.owner_id == rep
    assert lead.extra["unmapped"] == {"utm_campaign": "双11"} and lead.extra["raw"]["手机号"]
    assert "轮流分配" in lead.assign_reason and customer.owner_id == rep
    assert lead.first_response_due_at == lead.received_at + timedelta(hours=4)
    card = (await sent_cards(rt, f"dm:{rep}"))[0]["card"]
    assert card["title"] == "新线索：华东医疗有限公司"
    assert dict(card["sections"][0]["fields"])["首次响应"] == "还剩 4小时00分"
    assert [b["label"] for b in card["buttons"]] == ["接单", "记跟进", "刷新"]
    assert "138****8000" in json.dumps(card, ensure_ascii=False)


async def test_thousand_identical_submissions_make_one_lead(client, rt):
    configure(rt)
    await add_member(rt, "王强")
    payload = {"姓名": "赵六", "电话": "13900001111"}
    answers = [await (await post(client, payload)).json() for _ in range(1000)]
    assert answers[0]["status"] == "assigned"
    assert {a["status"] for a in answers[1:]} == {"duplicate"}
    assert {a["lead_id"] for a in answers} == {answers[0]["lead_id"]}
    assert await count(rt, Lead) == 1


async def test_same_mobile_from_another_channel_merges_and_tells_the_owner(client, rt):
    configure(rt)
    rep = await add_member(rt, "孙丽")
    await add_member(rt, "钱进")
    first = await (await post(client, {"手机号": "13700001111", "公司": "宏达制造"})).json()
    body = json.dumps({"telephone": "137 0000 1111", "name": "李工"}).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    resp = await client.post("/intake/douyin", data=body, headers={"X-Intake-Signature": sig,
                                                                     "Content-Type": "application/json"})
    again = await resp.json()
    assert resp.status == 201 and again == {"lead_id": first["lead_id"], "status": "duplicate", "owner": "孙丽"}
    assert await count(rt, Lead) == 1
    titles = [c["card"]["title"] for c in await sent_cards(rt, f"dm:{rep}")]
    assert titles == ["新线索：宏达制造", "老客户回来了：宏达制造"]


async def test_wrong_token_or_signature_is_401_and_creates_nothing(client, rt):
    configure(rt)
    await add_member(rt, "周杰")
    assert (await post(client, {"手机号": "13800000000"}, token="wrong")).status == 401
    bad = await client.post("/intake/douyin", data=b'{"mobile": "13800000000"}',
                            headers={"X-Intake-Signature": "sha256=" + "0" * 64})
    assert bad.status == 401
    assert (await post(client, {"手机号": "13800000000"}, channel="nope")).status == 404  # unknown channel
    assert await count(rt, Lead) == 0
    assert await count(rt, RejectedRequest) == 3


async def test_invalid_payload_is_400_with_fields_then_replayed_after_the_map_is_fixed(client, rt):
    configure(rt)
    await add_member(rt, "吴敏")
    resp = await post(client, {"客户手机": "13600001234", "姓名": "陈"})
    assert resp.status == 400
    body = await resp.json()
    assert "客户手机" in body["fields"]["mobile_phone"] and body["reject_id"]
    bad_mobile = await post(client, {"手机号": "12345"})
    assert (await bad_mobile.json())["fields"] == {"mobile_phone": "手机号不对：请填 11 位大陆手机号（可带 +86）"}
    assert await count(rt, IntakeReject) == 2 and await count(rt, Lead) == 0
    rt.settings.intake.channels["web_form"]["field_map"]["客户手机"] = "mobile_phone"
    report = await replay(rt, "web_form")
    assert (report.replayed, report.still_failing) == (1, 1)
    assert await count(rt, Lead) == 1


async def test_form_encoded_body_and_body_limit(client, rt):
    configure(rt)
    await add_member(rt, "郑爽")
    resp = await client.post("/intake/web_form", data={"联系方式": "13500001234", "姓名": "王"},
                             headers={"X-Intake-Token": TOKEN})
    assert resp.status == 201 and (await resp.json())["status"] == "assigned"
    huge = await client.post("/intake/web_form", data=b"x" * (rt.settings.server.max_body_bytes + 10),
                             headers={"X-Intake-Token": TOKEN})
    assert huge.status == 413


async def test_accept_from_the_card_by_owner_only(client, rt):
    configure(rt)
    rep = await add_member(rt, "冯达")
    other = await add_member(rt, "韩梅")
    lead_id = (await (await post(client, {"手机号": "13300001234"})).json())["lead_id"]
    card = (await sent_cards(rt, f"dm:{rep}"))[0]["card"]
    accept = card["buttons"][0]["value"]
    click = {"chat_id": f"dm:{other}", "skin": "wecom", "value": accept, "client_id": "x1", "member_id": other}
    await client.post("/playground/api/click", json=click)
    refused = (await sent_cards(rt, f"dm:{other}"))[-1]["card"]
    assert refused["title"] == "这个操作做不了"
    await client.post("/playground/api/click", json={**click, "member_id": rep, "chat_id": f"dm:{rep}",
                                                      "client_id": "x2"})
    done = (await sent_cards(rt, f"dm:{rep}"))[-1]["card"]
    assert done["title"].startswith("已接单") and [b["label"] for b in done["buttons"]] == ["记跟进", "刷新"]
    async with rt.db.session() as s:
        lead = await s.get(Lead, lead_id)
        kinds = [e.kind for e in (await s.execute(select(LeadEvent).where(LeadEvent.lead_id == lead_id))).scalars()]
    assert lead.status == "accepted" and lead.accepted_at == rt.clock.now()
    assert kinds == ["received", "assigned", "accepted"]


async def test_expo_form_has_csrf_token_and_is_rate_limited(client, rt):
    configure(rt, expo_per_minute=3)
    await add_member(rt, "蒋涛")
    page = await client.get("/intake/expo/form")
    html = await page.text()
    assert page.status == 200 and 'name="_csrf"' in html
    token = html.split('name="_csrf" value="')[1].split('"')[0]
    ok = await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001234", "姓名": "林"})
    assert ok.status == 201 and "提交成功" in await ok.text()
    forged = await client.post("/intake/expo", data={"_csrf": "1." + "0" * 64, "手机号": "13100001235"})
    assert forged.status == 401
    assert (await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001236"})).status == 201
    assert (await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001237"})).status == 429
    rt.clock.advance(timedelta(seconds=61))
    assert (await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001238"})).status == 201
    rt.clock.advance(timedelta(hours=3))
    assert (await client.post("/intake/expo", data={"_csrf": token, "手机号": "13100001239"})).status == 401


async def test_numbers_in_read_api_and_metrics(client, rt):
    configure(rt)
    await add_member(rt, "许晴")
    await post(client, {"手机号": "13200001234"})
    await post(client, {"客户手机": "13200001235"})
    auth = {"Authorization": "Bearer test-admin-token"}
    numbers = await (await client.get("/api/v1/lead_numbers", headers=auth)).json()
    assert numbers["leads"] == 1 and numbers["auto_distribution_rate"] == 1.0
    rejects = await (await client.get("/api/v1/intake_rejects", headers=auth)).json()
    assert [r["channel"] for r in rejects["items"]] == ["web_form"] and rejects["next"] is None
    assert (await client.get("/api/v1/intake_rejects")).status == 401
    text = await (await client.get("/metrics")).text()
    assert "salesbot_leads_auto_distribution_ratio 1" in text
    assert 'salesbot_lead_intake_total{channel="web_form",status="rejected"} 1' in text
