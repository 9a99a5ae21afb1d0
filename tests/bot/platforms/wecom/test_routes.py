"""/wecom/app and /wecom/bot end to end: callbacks encrypted by wechatpy, real routes, real WecomAPI, fake WeCom."""

from __future__ import annotations

import hashlib
import json
import time

from sqlalchemy import func, select

from bot.core.actions import AcceptLead
from bot.platforms.wecom import routes
from bot.platforms.wecom.extras.crypto import WecomCrypto
from storage.models import Opportunity, RejectedRequest
from tests.bot.platforms.wecom.conftest import (
    AES_KEY,
    BOT_KEY,
    BOT_TOKEN,
    TOKEN,
    app_request,
    deliver,
    rep,
    robot_request,
    robot_text,
    seal,
    text_xml,
)
from tests.bot.platforms.wecom.test_routes_events import _lead
from tests.fakes.wecom import CORP_ID


def _ts(rt) -> int:
    return int(rt.clock.now().timestamp())


async def _opportunities(rt) -> int:
    async with rt.db.session() as s:
        return (await s.execute(select(func.count()).select_from(Opportunity))).scalar_one()


async def test_url_checks_answer_the_plain_echostr_within_a_second(wclient, wrt):
    ts = _ts(wrt)
    for path, token, key, rid in (("/wecom/app", TOKEN, AES_KEY, CORP_ID), ("/wecom/bot", BOT_TOKEN, BOT_KEY, "")):
        encrypt = ""
        while "+" not in encrypt:  # make sure the pitfall is exercised
            encrypt, sig, nonce = seal("echo-1616140317555161061", ts, token, key, rid)
        # a raw '+' arrives as a space through aiohttp's query parsing; the route restores it
        raw = encrypt.replace("/", "%2F").replace("=", "%3D")
        started = time.perf_counter()
        resp = await wclient.get(f"{path}?msg_signature={sig}&timestamp={ts}&nonce={nonce}&echostr={raw}")
        assert time.perf_counter() - started < 1.0
        assert resp.status == 200 and await resp.text() == "echo-1616140317555161061"


async def test_app_text_message_creates_the_opportunity_and_the_card_reaches_the_rep(wclient, wrt, fake):
    await rep(wrt)
    path, body = app_request(text_xml("lina", "新建商机 华东医疗 预算50万", 7300000000000000001, _ts(wrt)), _ts(wrt))
    resp = await wclient.post(path, data=body)
    assert resp.status == 200 and await resp.text() == ""
    await deliver(wrt)
    [sent] = fake.messages
    card = sent["template_card"]
    assert sent["touser"] == "lina" and card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == "新商机：华东医疗"
    assert "客户现在卡在哪：需求确认" in card["sub_title_text"]
    assert fake.token_calls == 1


async def test_wecoms_three_tries_make_one_opportunity(wclient, wrt, fake):
    await rep(wrt)
    plain = text_xml("lina", "新建商机 宏达制造", 7300000000000000002, _ts(wrt))
    for _ in range(3):  # each try is encrypted and signed anew, with the same MsgId inside
        path, body = app_request(plain, _ts(wrt))
        assert (await wclient.post(path, data=body)).status == 200
    await deliver(wrt)
    assert await _opportunities(wrt) == 1 and len(fake.messages) == 1


async def test_robot_mention_in_a_group_is_answered_passively_with_the_card(wclient, wrt, fake):
    await rep(wrt)
    payload = robot_text("lina", "@销售助手 新建商机 江南制造 预算80万", "msg-r1", "wrkGroup1",
                         fake.response_url(fake.url))
    path, body = robot_request(payload, _ts(wrt))
    resp = await wclient.post(path, data=body)
    assert resp.status == 200
    envelope = await resp.json()
    crypto = WecomCrypto(BOT_TOKEN, BOT_KEY, "")
    plain = crypto.open(envelope["msgsignature"], str(envelope["timestamp"]), envelope["nonce"], envelope["encrypt"])
    answer = json.loads(plain)
    assert answer["msgtype"] == "template_card"
    assert answer["template_card"]["main_title"]["title"] == "新商机：江南制造"
    async with wrt.db.session() as s:
        opp = (await s.execute(select(Opportunity))).scalar_one()
    assert (opp.chat_platform, opp.chat_id) == ("wecom", "robot:wrkGroup1")
    await deliver(wrt)
    assert fake.robot_replies == [] and fake.messages == []  # answered once, inline


async def test_a_slow_answer_goes_through_the_response_url(wclient, wrt, fake, monkeypatch):
    monkeypatch.setattr(routes, "ROBOT_WAIT", 0.0)
    await rep(wrt)
    payload = robot_text("lina", "新建商机 东方教育", "msg-r2", None, fake.response_url(fake.url))
    path, body = robot_request(payload, _ts(wrt))
    resp = await wclient.post(path, data=body)
    assert resp.status == 200 and await resp.text() == ""
    await deliver(wrt)
    [reply] = fake.robot_replies
    assert reply["template_card"]["main_title"]["title"] == "新商机：东方教育"


async def test_robot_retries_are_one_message(wclient, wrt, fake):
    await rep(wrt)
    payload = robot_text("lina", "@销售助手 新建商机 北方能源", "msg-r3", "wrkGroup2", fake.response_url(fake.url))
    for _ in range(3):
        path, body = robot_request(payload, _ts(wrt))
        assert (await wclient.post(path, data=body)).status == 200
    await deliver(wrt)
    assert await _opportunities(wrt) == 1


async def test_enter_chat_gets_the_welcome_card(wclient, wrt, fake):
    payload = {"msgid": "msg-enter", "aibotid": "AIBOT1", "chattype": "single", "from": {"userid": "newbie"},
               "msgtype": "event", "event": {"eventtype": "enter_chat"}, "response_url": fake.response_url(fake.url)}
    path, body = robot_request(payload, _ts(wrt))
    envelope = await (await wclient.post(path, data=body)).json()
    plain = WecomCrypto(BOT_TOKEN, BOT_KEY, "").decrypt(envelope["encrypt"])
    assert json.loads(plain)["template_card"]["main_title"]["title"] == "销售助手能做什么"


async def _rejected(rt) -> list[RejectedRequest]:
    async with rt.db.session() as s:
        return list((await s.execute(select(RejectedRequest))).scalars())


async def test_bad_signature_is_403_with_the_reason_only_in_the_log_and_archive(wclient, wrt, caplog):
    path, body = app_request(text_xml("lina", "hi", 1, _ts(wrt)), _ts(wrt))
    resp = await wclient.post(path.replace("msg_signature=", "msg_signature=0"), data=body)
    assert resp.status == 403 and await resp.text() == "forbidden"
    [row] = await _rejected(wrt)
    assert "msg_signature" in row.reason and body.decode().startswith(row.body)  # unauthenticated: a prefix only
    assert row.truncated and row.body_size == len(body) and row.body_sha256 == hashlib.sha256(body).hexdigest()
    assert "msg_signature does not match" in caplog.text


async def test_corp_id_mismatch_is_refused(wclient, wrt):
    path, body = app_request(text_xml("lina", "hi", 2, _ts(wrt)), _ts(wrt), corp="wwSomeoneElse000")
    resp = await wclient.post(path, data=body)
    assert resp.status == 403 and "receiveid" in (await _rejected(wrt))[0].reason


async def test_undecryptable_and_stale_and_entity_bodies_are_refused(wclient, wrt):
    ts = _ts(wrt)
    crypto = WecomCrypto(TOKEN, AES_KEY, CORP_ID)
    junk = "QUJD"  # valid base64, not a multiple of 16 bytes
    query = f"msg_signature={crypto.signature(str(ts), 'n1', junk)}&timestamp={ts}&nonce=n1"
    resp = await wclient.post(f"/wecom/app?{query}", data=f"<xml><Encrypt>{junk}</Encrypt></xml>".encode())
    assert resp.status == 400 and await resp.text() == "bad request"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<xml><Encrypt>&b;</Encrypt></xml>")
    assert (await wclient.post(f"/wecom/app?{query}", data=bomb)).status == 400
    inner = text_xml("lina", "hi", 3, ts).replace("<xml>", '<!DOCTYPE xml [<!ENTITY e "x">]><xml>')
    path, body = app_request(inner, ts)
    assert (await wclient.post(path, data=body)).status == 400
    path, body = app_request(text_xml("lina", "hi", 4, ts - 3600), ts - 3600)
    assert (await wclient.post(path, data=body)).status == 403
    reasons = [r.reason for r in await _rejected(wrt)]
    assert len(reasons) == 4 and any("DOCTYPE" in r for r in reasons) and any("server clock" in r for r in reasons)


async def test_robot_bad_signature_and_bad_json(wclient, wrt):
    path, body = robot_request(robot_text("lina", "hi", "m", None), _ts(wrt))
    assert (await wclient.post(path.replace("nonce=", "nonce=9"), data=body)).status == 403
    assert (await wclient.post(path, data=b"not json")).status == 400


async def test_a_robot_card_click_updates_the_card_passively(wclient, wrt, fake):
    lead_id = await _lead(wrt, await rep(wrt))
    payload = {"msgid": "msg-click", "aibotid": "AIBOT1", "chattype": "group", "chatid": "wrkGroup3",
               "from": {"userid": "lina"}, "response_url": fake.response_url(fake.url), "msgtype": "event",
               "event": {"eventtype": "template_card_event", "template_card_event": {
                   "card_type": "button_interaction", "event_key": AcceptLead(lead_id=lead_id).pack(),
                   "task_id": "sb_robot_card"}}}
    path, body = robot_request(payload, _ts(wrt))
    envelope = await (await wclient.post(path, data=body)).json()
    answer = json.loads(WecomCrypto(BOT_TOKEN, BOT_KEY, "").decrypt(envelope["encrypt"]))
    assert answer["response_type"] == "update_template_card"
    assert answer["template_card"]["task_id"] == "sb_robot_card"
    assert answer["template_card"]["main_title"]["title"].startswith("已接单")
