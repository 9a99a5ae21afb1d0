"""POST /feishu/events end to end: real route, real FeishuAPI, a fake Feishu open platform."""

from __future__ import annotations

import asyncio
import hashlib
import time

from sqlalchemy import select

from bot import handling
from bot.platforms.feishu import routes
from storage.models import RejectedRequest
from storage.repos import members
from tests.bot.platforms.feishu.conftest import (
    ENCRYPT_KEY,
    click,
    envelope,
    mention,
    signed,
    text_message,
    vectors,
)
from tests.fakes.feishu import BOT_OPEN_ID
from tests.helpers import add_member, run_queues

REP_OPEN_ID = "ou_rep_lina"


async def _rep(rt, name: str = "李娜", open_id: str = REP_OPEN_ID) -> int:
    member_id = await add_member(rt, name)
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "feishu", open_id)
    return member_id


async def _post(client, rt, payload: dict, ts: int | None = None):
    body, headers = signed(payload, ts if ts is not None else int(rt.clock.now().timestamp()))
    return await client.post("/feishu/events", data=body, headers=headers)


async def _deliver(rt) -> None:
    await run_queues(rt)


def _new_opportunity(text: str = "@_user_1 新建商机 华东医疗 预算50万", message_id: str = "om_1",
                     event_id: str = "ev-1") -> dict:
    return envelope("im.message.receive_v1", text_message(
        text, REP_OPEN_ID, message_id=message_id, mentions=[mention("@_user_1", BOT_OPEN_ID)]), event_id)


async def test_url_verification_plain_and_encrypted_answer_the_challenge_fast(fclient, frt):
    started = time.perf_counter()
    plain = await fclient.post("/feishu/events", json={"challenge": "c-1", "token": "vtoken",
                                                       "type": "url_verification"})
    assert plain.status == 200 and await plain.json() == {"challenge": "c-1"}
    vector = next(v for v in vectors() if v["id"] == "feishu-url-verification-signed")
    enc = await fclient.post("/feishu/events", data=vector["expected"]["raw_body"],
                             headers={"Content-Type": "application/json"})
    assert enc.status == 200 and await enc.text() == '{"challenge": "ch-123"}'
    assert time.perf_counter() - started < 1.0


async def test_url_verification_with_a_wrong_token_is_401(fclient):
    resp = await fclient.post("/feishu/events", json={"challenge": "c", "token": "nope", "type": "url_verification"})
    assert resp.status == 401 and "verification token" in (await resp.json())["error"]


async def test_encrypted_group_message_creates_an_opportunity_and_the_card_reaches_feishu(fclient, frt, fake):
    await _rep(frt)
    resp = await _post(fclient, frt, _new_opportunity())
    assert resp.status == 200 and await resp.json() == {"msg": "success"}
    await _deliver(frt)
    [sent] = fake.messages
    assert sent["op"] == "reply" and sent["reply_to"] == "om_1"
    assert sent["card"]["header"]["title"]["content"] == "新商机：华东医疗"
    assert sent["body"]["uuid"].startswith("sb-") and len(sent["body"]["uuid"]) <= 50
    assert ("GET", "/open-apis/bot/v3/info") in fake.calls and fake.token_calls == 1


async def test_feishu_retry_ladder_has_one_effect(fclient, frt, fake):
    await _rep(frt)
    for attempt in range(5):  # the first push and Feishu's 4 retries, one with a fresh event id
        resp = await _post(fclient, frt, _new_opportunity(event_id=f"ev-{min(attempt, 3)}"))
        assert resp.status == 200
    await _deliver(frt)
    assert len(fake.messages) == 1
    dupes = frt.metrics.counters[("salesbot_events_deduplicated_total", (("platform", "feishu"),))]
    assert dupes == 4


async def test_group_chatter_without_the_bot_mentioned_is_stored_not_answered(fclient, frt, fake):
    await _rep(frt)
    other = [mention("@_user_1", "ou_someone_else", "王强")]
    event = envelope("im.message.receive_v1", text_message("@_user_1 新建商机 东方教育", REP_OPEN_ID, mentions=other))
    assert (await _post(fclient, frt, event)).status == 200
    await _deliver(frt)
    assert fake.messages == []


async def test_p2p_message_needs_no_mention(fclient, frt, fake):
    await _rep(frt)
    event = envelope("im.message.receive_v1", text_message("帮助", REP_OPEN_ID, chat_id="oc_p2p", chat_type="p2p"))
    assert (await _post(fclient, frt, event)).status == 200
    await _deliver(frt)
    assert fake.messages[0]["card"]["header"]["title"]["content"] == "销售助手能做什么"


async def test_card_click_is_answered_inline_with_toast_and_card(fclient, frt, fake):
    await _rep(frt)
    await _post(fclient, frt, _new_opportunity())
    await _deliver(frt)
    buttons = [el for el in fake.messages[0]["card"]["body"]["elements"] if el["tag"] == "column_set"][-1]
    packed = buttons["columns"][0]["elements"][0]["behaviors"][0]["value"]["a"]
    assert packed.startswith("opp.")
    resp = await _post(fclient, frt, click(packed, REP_OPEN_ID))
    answer = await resp.json()
    assert resp.status == 200 and answer["card"]["type"] == "raw" and answer["card"]["data"]["schema"] == "2.0"
    assert answer["toast"]["content"] == answer["card"]["data"]["header"]["title"]["content"]
    assert await (await _post(fclient, frt, click(packed, REP_OPEN_ID))).json() == {}  # a retried click: no effect
    await _deliver(frt)
    assert len(fake.messages) == 1  # the inline answer is not sent again


async def test_refused_click_gets_a_toast_and_leaves_the_card(fclient, frt, fake):
    await _rep(frt)
    await _post(fclient, frt, _new_opportunity())
    await _deliver(frt)
    await _rep(frt, "王强", "ou_other_rep")
    answer = await (await _post(fclient, frt, click("opp.advance|1", "ou_other_rep"))).json()
    assert answer["toast"]["type"] == "warning" and "不是你" in answer["toast"]["content"]
    assert "card" not in answer


async def test_a_slow_handler_is_answered_empty_and_its_reply_goes_by_the_sender(fclient, frt, fake, monkeypatch):
    await _rep(frt)
    gate, route = asyncio.Event(), handling.route

    async def slow_route(table, event, ctx):
        await gate.wait()
        return await route(table, event, ctx)

    monkeypatch.setattr(handling, "route", slow_route)
    monkeypatch.setattr(routes, "CARD_WAIT", 0.2)
    started = time.perf_counter()
    resp = await _post(fclient, frt, click("help|all", REP_OPEN_ID))
    assert resp.status == 200 and await resp.json() == {}
    assert time.perf_counter() - started < 1.0
    gate.set()
    await _deliver(frt)
    assert [m["card"]["header"]["title"]["content"] for m in fake.messages] == ["销售助手能做什么"]


async def test_bad_signature_is_401_with_the_reason_and_archived(fclient, frt):
    body, headers = signed(_new_opportunity(), int(frt.clock.now().timestamp()))
    headers["X-Lark-Signature"] = "0" * 64
    resp = await fclient.post("/feishu/events", data=body, headers=headers)
    assert resp.status == 401 and "X-Lark-Signature" in (await resp.json())["error"]
    async with frt.db.session() as s:
        [row] = (await s.execute(select(RejectedRequest))).scalars().all()
    assert row.route == "/feishu/events" and row.status == 401 and body.decode().startswith(row.body)
    assert row.body_size == len(body) and row.body_sha256 == hashlib.sha256(body).hexdigest()  # a prefix + its hash


async def test_stale_undecryptable_and_malformed_requests_are_refused(fclient, frt):
    now = int(frt.clock.now().timestamp())
    assert (await _post(fclient, frt, _new_opportunity(), ts=now - 3600)).status == 401
    body, headers = signed(_new_opportunity(), now, key="another key")
    assert (await fclient.post("/feishu/events", data=body, headers=headers)).status in (400, 401)
    resp = await fclient.post("/feishu/events", data=b"{nope", headers={"Content-Type": "application/json"})
    assert resp.status == 400 and "not valid JSON" in (await resp.json())["error"]
    resp = await _post(fclient, frt, {"schema": "2.0", "header": {"token": "vtoken"}, "event": {}})
    assert resp.status == 400 and "event_id" in (await resp.json())["error"]


async def test_unknown_event_types_get_200(fclient, frt, fake):
    event = envelope("im.chat.member.bot.added_v1", {"chat_id": "oc_new"}, "ev-unknown")
    resp = await _post(fclient, frt, event)
    assert resp.status == 200 and await resp.json() == {"msg": "success"}
    await _deliver(frt)
    assert fake.messages == []


async def test_encrypt_key_config_is_required_for_encrypted_bodies(fclient, frt):
    frt.settings.feishu.encrypt_key = ""
    body, headers = signed(_new_opportunity(), int(frt.clock.now().timestamp()), key=ENCRYPT_KEY)
    resp = await fclient.post("/feishu/events", data=body, headers=headers)
    assert resp.status == 400 and "encrypt_key" in (await resp.json())["error"]
