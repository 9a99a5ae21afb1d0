"""Quote approvals in DingTalk OA end to end: chat → processInstances → bpms event → the opportunity moves."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from bot.platforms.dingtalk import crypto
from bot.web.app import create_app
from storage.models import Opportunity, OutboxMessage
from storage.models_opportunities import Approval
from tests.fakes.dingtalk import CLIENT_ID
from tests.fakes.dingtalk_oa import PROCESS_CODE
from tests.platforms.dingtalk.conftest import (
    add_dingtalk_member,
    dingtalk_settings,
    make_runtime,
    robot_headers,
    robot_message,
    vector,
)

QUOTE_STEPS = ("新建商机 华东医疗", "凭证 会议纪要 纪要", "推进", "凭证 演示视频或链接 https://v.example.com",
               "报价 50万 7折", "推进")
_msg = count(1)


async def deliver(rt) -> None:
    """Run handlers and the sender until nothing is left (results ingest new events from the sender)."""
    while True:
        await rt.dispatcher.drain()
        if not await rt.sender.run_once() and not rt.dispatcher.tasks:
            return


def oa_settings(url, fake, **extra):
    v = vector("dingtalk-http-event-crypto")["inputs"]
    return dingtalk_settings(url, fake, approval_process_code=PROCESS_CODE, event_token=v["token"],
                             event_aes_key=v["encoding_aes_key"], **extra)


@pytest.fixture
async def oa(aiohttp_client, db_url, fake, clock):
    fake.now_ms = lambda: int(clock.now().timestamp() * 1000)
    rt = await make_runtime(oa_settings(db_url, fake), clock)
    client = await aiohttp_client(create_app(rt, start_services=False))
    await add_dingtalk_member(rt, "张三", "u001")
    await add_dingtalk_member(rt, "韩总", "u009", role="manager")
    yield rt, client
    await rt.stop()


async def say(rt, client, fake, text: str, staff: str = "u001") -> None:
    body = robot_message(rt, fake, text, msg_id=f"m{next(_msg)}", staff=staff)
    assert (await client.post("/dingtalk/robot", json=body, headers=robot_headers(rt))).status == 200
    await deliver(rt)


async def push_event(rt, client, data: dict, event_id: str) -> None:
    """The encrypted HTTP event subscription, as DingTalk flattens it (EventType + eventId)."""
    v = vector("dingtalk-http-event-crypto")["inputs"]
    box = crypto.EventCrypto(v["token"], v["encoding_aes_key"], CLIENT_ID)
    encrypt = box.encrypt(json.dumps({"EventType": "bpms_instance_change", "eventId": event_id, **data}).encode())
    ts = str(int(rt.clock.now().timestamp() * 1000))
    query = {"msg_signature": box.signature(ts, "n1", encrypt), "timestamp": ts, "nonce": "n1"}
    assert (await client.post("/dingtalk/events", params=query, json={"encrypt": encrypt})).status == 200
    await deliver(rt)


async def state(rt) -> tuple[str, str, str, str | None]:
    async with rt.db.sessions() as s:
        approval = (await s.execute(select(Approval))).scalar_one()
        opp = (await s.execute(select(Opportunity))).scalar_one()
    return approval.status, approval.remark, opp.stage, approval.instance_id


def titles(fake) -> list[str]:
    """Card titles sent, whatever the route (sessionWebhook body or robot API msgParam)."""
    out = []
    for sent in fake.sent:
        body = sent["body"]
        card = json.loads(body["msgParam"]) if "msgParam" in body else body.get("actionCard") or body.get("markdown")
        out.append((card or {}).get("title", ""))
    return out


async def test_a_quote_goes_to_dingtalk_oa_and_the_approval_moves_the_opportunity(oa, fake):
    rt, client = oa
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    [body] = fake.creates
    values = {v["name"]: v["value"] for v in body["formComponentValues"]}
    assert (body["processCode"], body["originatorUserId"], body["deptId"]) == (PROCESS_CODE, "u001", -1)
    assert values["客户"] == "华东医疗" and values["申请人"] == "张三" and values["salesbot 单号"] == "SB-1"
    assert "50" in values["报价金额"] and values["折扣"] and values["申请进入阶段"]
    [pid] = fake.instances
    assert await state(rt) == ("pending", "", "demo", pid)
    assert "报价审批：华东医疗" not in titles(fake)  # the manager decides in DingTalk, not on an in-chat card

    data = fake.finish(pid, "agree", "u009", "可以，月底前签")
    await push_event(rt, client, data, "ev-1")
    assert await state(rt) == ("approved", "可以，月底前签", "quote", pid)
    group = [s for s in fake.sent if s["via"] == "group"]
    assert titles(fake)[-1] == "报价已同意：华东医疗" and group[-1] == fake.sent[-1]
    await push_event(rt, client, data, "ev-1")  # DingTalk pushes it again
    await push_event(rt, client, data, "ev-2")  # or pushes a second event for the same instance
    assert len([s for s in fake.sent if s["via"] == "group"]) == len(group)


async def test_a_rejection_returns_the_opportunity_with_the_remark(oa, fake):
    rt, client = oa
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    [pid] = fake.instances
    await push_event(rt, client, fake.finish(pid, "refuse", "u009", "先争取 85 折"), "ev-r")
    assert await state(rt) == ("rejected", "先争取 85 折", "demo", pid)
    assert titles(fake)[-1] == "报价被退回：华东医疗"


async def test_a_lost_create_answer_is_retried_without_a_second_instance(oa, fake):
    rt, client = oa
    fake.lose_next_create = True
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    assert len(fake.creates) == 1 and (await state(rt))[3] is None  # created at DingTalk, answer lost
    rt.clock.advance(timedelta(minutes=5))
    await deliver(rt)
    [pid] = fake.instances
    assert len(fake.creates) == 1 and (await state(rt))[3] == pid
    async with rt.db.sessions() as s:
        row = (await s.execute(select(OutboxMessage).where(OutboxMessage.target == "approval"))).scalar_one()
    assert (row.status, row.attempts) == ("sent", 2)
    # the same row delivered once more (a crash after the send): the linked instance is not created again
    await rt.apis["dingtalk"].send("approval", row.payload)
    assert len(fake.creates) == 1


@pytest.mark.parametrize("problem", ["process_code", "user"])
async def test_a_refused_create_falls_back_to_the_in_chat_card(oa, fake, problem):
    rt, client = oa
    if problem == "process_code":
        fake.process_codes.clear()
    else:
        fake.known_users.discard("u001")
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    assert fake.instances == {} and "报价审批：华东医疗" in titles(fake)
    async with rt.db.sessions() as s:
        row = (await s.execute(select(OutboxMessage).where(OutboxMessage.target == "approval"))).scalar_one()
    assert row.status == "dead" and "approval_process_code" in row.last_error
    assert "in the chat instead" in row.last_error
    await say(rt, client, fake, "同意 可以", staff="u009")  # the manager decides in the chat instead
    assert (await state(rt))[:3] == ("approved", "可以", "quote")


async def test_results_of_other_forms_and_unfinished_instances_read_nothing_twice(oa, fake):
    rt, client = oa
    await push_event(rt, client, {"processInstanceId": "leave-1", "processCode": "PROC-LEAVE", "type": "finish",
                                  "result": "agree", "staffId": "u001"}, "ev-leave")
    async with rt.db.sessions() as s:
        assert (await s.execute(select(OutboxMessage))).scalars().all() == []
    for text in QUOTE_STEPS:
        await say(rt, client, fake, text)
    [pid] = fake.instances
    # a finish push that outruns DingTalk's own read model: the read is retried until it has completed
    await push_event(rt, client, {"processInstanceId": pid, "processCode": PROCESS_CODE, "type": "finish"}, "ev-e")
    assert (await state(rt))[0] == "pending"
    fake.finish(pid, "agree", "u009", "")
    rt.clock.advance(timedelta(minutes=5))
    await deliver(rt)
    assert (await state(rt))[:3] == ("approved", "审批流已通过", "quote")


async def test_stream_mode_quote_approval_round_trip(sqlite_url, fake, clock):
    from bot.platforms import dingtalk
    from tests.platforms.dingtalk.test_stream import BOT_TOPIC, until

    fake.now_ms = lambda: int(clock.now().timestamp() * 1000)
    rt = await make_runtime(oa_settings(sqlite_url, fake, mode="stream"), clock)
    try:
        await dingtalk.start(rt)
        await until(fake.connected)
        await add_dingtalk_member(rt, "张三", "u001")
        await add_dingtalk_member(rt, "韩总", "u009", role="manager")
        for text in QUOTE_STEPS:
            mid = fake.push("CALLBACK", BOT_TOPIC, robot_message(rt, fake, text, msg_id=f"s{next(_msg)}"))
            await until(lambda mid=mid: fake.acks_for(mid))
            await deliver(rt)
        [pid] = fake.instances
        data = fake.finish(pid, "agree", "u009", "同意，注意回款")
        eid = fake.push("EVENT", "*", data, eventType="bpms_instance_change", eventId="sev-1")
        await until(lambda: fake.acks_for(eid))
        assert json.loads(fake.acks_for(eid)[0]["data"])["status"] == "SUCCESS"
        await deliver(rt)
        assert await state(rt) == ("approved", "同意，注意回款", "quote", pid)
        assert titles(fake)[-1] == "报价已同意：华东医疗"
    finally:
        await rt.stop()
