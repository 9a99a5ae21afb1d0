"""DingTalk HTTP mode end to end: real routes, real DingTalkAPI, the fake DingTalk."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import unquote

from sqlalchemy import func, select

from bot.platforms.dingtalk.extras import crypto
from storage.models import InboxEvent, Opportunity, RejectedRequest
from tests.bot.platforms.dingtalk.conftest import (
    add_dingtalk_member,
    card_headers,
    dingtalk_settings,
    make_runtime,
    robot_headers,
    robot_message,
    vector,
)
from tests.helpers import run_queues


async def _deliver(rt) -> None:
    await run_queues(rt)


async def _count(rt, model) -> int:
    async with rt.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar()


async def test_robot_message_creates_an_opportunity_and_the_card_goes_out_by_session_webhook(dclient, drt, fake):
    await add_dingtalk_member(drt, "张三", "u001")
    body = robot_message(drt, fake, "新建商机 华东医疗 预算50万")
    resp = await dclient.post("/dingtalk/robot", json=body, headers=robot_headers(drt))
    assert resp.status == 200 and await resp.json() == {"msgtype": "empty"}
    await _deliver(drt)
    [sent] = fake.sent
    assert sent["via"] == "session" and sent["body"]["msgtype"] == "actionCard"
    card = sent["body"]["actionCard"]
    assert "华东医疗" in card["title"] and "华东医疗" in card["text"]
    urls = [b["actionURL"] for b in card["btns"]] if "btns" in card else [card["singleURL"]]
    assert all(u.startswith("dingtalk://dingtalkclient/page/link?url=") for u in urls)
    assert "/a/" in unquote(urls[0])
    assert fake.token_calls == 0  # the session webhook needs no token


async def test_duplicate_msg_id_has_one_effect(dclient, drt, fake):
    await add_dingtalk_member(drt, "张三", "u001")
    body = robot_message(drt, fake, "新建商机 华南物流", msg_id="dup-1")
    for _ in range(2):
        resp = await dclient.post("/dingtalk/robot", json=body, headers=robot_headers(drt))
        assert resp.status == 200
    await _deliver(drt)
    assert await _count(drt, Opportunity) == 1 and len(fake.sent) == 1


async def test_expired_session_webhook_falls_back_to_the_group_robot_api(dclient, drt, fake):
    await add_dingtalk_member(drt, "张三", "u001")
    body = robot_message(drt, fake, "帮助", msg_id="m-exp")
    body["sessionWebhookExpiredTime"] = int(drt.clock.now().timestamp() * 1000) - 1
    await dclient.post("/dingtalk/robot", json=body, headers=robot_headers(drt))
    await _deliver(drt)
    [sent] = fake.sent
    assert sent["via"] == "group" and sent["body"]["openConversationId"] == "cidGroup1=="
    assert sent["body"]["msgKey"].startswith("sample") and json.loads(sent["body"]["msgParam"])["title"]


async def test_one_to_one_message_answers_through_batch_send_when_the_session_is_refused(dclient, drt, fake):
    await add_dingtalk_member(drt, "张三", "u001")
    fake.expired_sessions.add("s9")
    body = robot_message(drt, fake, "帮助", msg_id="m-1on1", group=False, session="s9")
    await dclient.post("/dingtalk/robot", json=body, headers=robot_headers(drt))
    await _deliver(drt)
    [sent] = fake.sent
    assert sent["via"] == "oto" and sent["body"]["userIds"] == ["u001"]


async def test_bad_sign_or_stale_timestamp_is_403_and_archived(dclient, drt, fake):
    body = robot_message(drt, fake, "新建商机 X")
    resp = await dclient.post("/dingtalk/robot", json=body, headers=robot_headers(drt, secret="wrong"))
    assert resp.status == 403 and "client_secret" in (await resp.json())["error"]
    stale = robot_headers(drt)
    stale["timestamp"] = str(int(stale["timestamp"]) - 3_700_000)
    stale["sign"] = crypto.hmac_sign("test-client-secret", stale["timestamp"])
    resp = await dclient.post("/dingtalk/robot", json=body, headers=stale)
    assert resp.status == 403 and "server clock" in (await resp.json())["error"]
    async with drt.db.sessions() as s:
        rows = (await s.execute(select(RejectedRequest))).scalars().all()
    assert [r.route for r in rows] == ["/dingtalk/robot"] * 2 and json.loads(rows[0].body)["msgId"] == "msg-1"
    assert await _count(drt, InboxEvent) == 0


async def test_malformed_json_is_400(dclient, drt):
    resp = await dclient.post("/dingtalk/robot", data=b"{nope", headers=robot_headers(drt))
    assert resp.status == 400 and "JSON" in (await resp.json())["error"]


async def test_card_click_is_answered_inline_with_the_new_card(aiohttp_client, sqlite_url, fake, clock):
    from bot.web.app import create_app

    rt = await make_runtime(dingtalk_settings(sqlite_url, fake, card_template_id="tpl.sales"), clock)
    try:
        client = await aiohttp_client(create_app(rt))
        await add_dingtalk_member(rt, "张三", "u001")
        await client.post("/dingtalk/robot", json=robot_message(rt, fake, "新建商机 华东医疗"),
                          headers=robot_headers(rt))
        await _deliver(rt)
        [created] = fake.cards
        assert created["openSpaceId"] == "dtv1.card//IM_GROUP.cidGroup1==" and created["callbackType"] == "HTTP"
        params = created["cardData"]["cardParamMap"]
        click = {"type": "actionCallback", "outTrackId": created["outTrackId"], "userId": "u001", "corpId": "c",
                 "content": json.dumps({"cardPrivateData": {"actionIds": ["b1"],
                                                            "params": {"action": params["btn2_action"]}}})}
        resp = await client.post("/dingtalk/card", json=click, headers=card_headers(rt))
        assert resp.status == 200
        answer = await resp.json()
        assert answer["cardUpdateOptions"] == {"updatePrivateDataByKey": True}  # only the clicker's view
        assert all(isinstance(v, str) for v in answer["userPrivateData"]["cardParamMap"].values())
        await _deliver(rt)
        assert fake.updates == [] and len(fake.cards) == 1  # answered inline, never sent twice
        stranger = {**click, "userId": "u404"}
        resp = await client.post("/dingtalk/card", json=stranger, headers=card_headers(rt))
        refused = (await resp.json())["userPrivateData"]["cardParamMap"]
        assert "还不认识你" in refused["title"] and "cardData" not in await resp.json()
        bad = await client.post("/dingtalk/card", json=click, headers=card_headers(rt, secret="nope"))
        assert bad.status == 403
    finally:
        await rt.stop()


async def test_card_click_from_an_unknown_card_is_400(dclient, drt):
    click = {"outTrackId": "someone-elses", "userId": "u001", "content": "{}"}
    resp = await dclient.post("/dingtalk/card", json=click, headers=card_headers(drt))
    assert resp.status == 400 and "did not send" in (await resp.json())["error"]


def _event_settings(sqlite_url, fake):
    v = vector("dingtalk-http-event-crypto")["inputs"]
    return dingtalk_settings(sqlite_url, fake, client_id=v["receiveid"], event_token=v["token"],
                             event_aes_key=v["encoding_aes_key"])


async def test_event_check_url_vector_answers_encrypted_success(aiohttp_client, sqlite_url, fake, clock):
    from bot.web.app import create_app

    v = vector("dingtalk-http-event-crypto")["inputs"]
    clock.set(datetime.fromtimestamp(int(v["timestamp"]) / 1000, UTC))
    rt = await make_runtime(_event_settings(sqlite_url, fake), clock)
    try:
        client = await aiohttp_client(create_app(rt))
        query = {"msg_signature": v["msg_signature"], "timestamp": v["timestamp"], "nonce": v["nonce"]}
        resp = await client.post("/dingtalk/events", params=query, json={"encrypt": v["encrypt"]})
        assert resp.status == 200
        reply = await resp.json()
        box = crypto.EventCrypto(v["token"], v["encoding_aes_key"], v["receiveid"])
        box.verify(reply["msg_signature"], reply["timeStamp"], reply["nonce"], reply["encrypt"])
        assert box.decrypt(reply["encrypt"]) == b"success"
        query["nonce"] = "tampered"
        bad = await client.post("/dingtalk/events", params=query, json={"encrypt": v["encrypt"]})
        assert bad.status == 403
        garbage = base64.b64encode(bytes(64)).decode()  # signed correctly, but not encrypted with our key
        signed = {**query, "nonce": v["nonce"], "msg_signature": box.signature(v["timestamp"], v["nonce"], garbage)}
        undecryptable = await client.post("/dingtalk/events", params=signed, json={"encrypt": garbage})
        assert undecryptable.status == 400 and "event_aes_key" in (await undecryptable.json())["error"]
    finally:
        await rt.stop()


async def test_approval_event_is_stored_once(aiohttp_client, sqlite_url, fake, clock):
    from bot.web.app import create_app

    v = vector("dingtalk-http-event-crypto")["inputs"]
    rt = await make_runtime(_event_settings(sqlite_url, fake), clock)
    try:
        client = await aiohttp_client(create_app(rt))
        box = crypto.EventCrypto(v["token"], v["encoding_aes_key"], v["receiveid"])
        plain = {"EventType": "bpms_instance_change", "processInstanceId": "pi-1", "type": "finish",
                 "result": "agree", "staffId": "u001", "eventId": "ev-1"}
        for _ in range(2):
            encrypt, ts = box.encrypt(json.dumps(plain).encode()), str(int(clock.now().timestamp() * 1000))
            query = {"signature": box.signature(ts, "n1", encrypt), "timeStamp": ts, "nonce": "n1"}
            resp = await client.post("/dingtalk/events", params=query, json={"encrypt": encrypt})
            assert resp.status == 200
        async with rt.db.sessions() as s:
            rows = (await s.execute(select(InboxEvent))).scalars().all()
        assert [(r.kind, r.dedupe_key) for r in rows] == [("platform", "event:ev-1")]
    finally:
        await rt.stop()
