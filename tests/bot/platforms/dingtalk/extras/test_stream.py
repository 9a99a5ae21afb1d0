"""Stream mode: the real dingtalk-stream 0.24.3 client against the fake gateway (its own thread)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.platforms.dingtalk.extras.stream import StreamClient, in_thread
from bot.platforms.dingtalk.platform import lifespan
from storage.models import InboxEvent, Opportunity, RejectedRequest
from tests.bot.platforms.dingtalk.conftest import add_dingtalk_member, dingtalk_settings, make_runtime, robot_message
from tests.helpers import run_queues

BOT_TOPIC, CARD_TOPIC = "/v1.0/im/bot/messages/get", "/v1.0/card/instances/callback"


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for real network traffic between threads (not for simulated time)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


@pytest.fixture
async def streaming(sqlite_url, fake, clock):
    """A runtime in stream mode inside DingTalk's lifespan (as `salesbot serve` runs it), and its held client."""
    settings = dingtalk_settings(sqlite_url, fake, mode="stream", card_template_id="tpl.sales")
    rt = await make_runtime(settings, clock)
    async with lifespan(rt) as held:
        await until(fake.connected)
        yield rt, held
    await rt.stop()


@pytest.fixture
def srt(streaming):
    return streaming[0]


async def _deliver(rt) -> None:
    await run_queues(rt)


async def _count(rt, model) -> int:
    async with rt.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar()


async def test_subscriptions_and_robot_message_acked_then_answered(srt, fake):
    topics = {(t["type"], t["topic"]) for t in fake.opens[0]["subscriptions"]}
    assert topics == {("EVENT", "*"), ("CALLBACK", BOT_TOPIC), ("CALLBACK", CARD_TOPIC)}
    await add_dingtalk_member(srt, "张三", "u001")
    mid = fake.push("CALLBACK", BOT_TOPIC, robot_message(srt, fake, "新建商机 华东医疗"), "m-bot-1")
    await until(lambda: fake.acks_for(mid))
    [ack] = fake.acks_for(mid)
    assert ack["code"] == 200 and json.loads(ack["data"]) == {"response": None}
    # the same message pushed again (a late-ack re-delivery) has no second effect
    fake.push("CALLBACK", BOT_TOPIC, robot_message(srt, fake, "新建商机 华东医疗"), "m-bot-1")
    await until(lambda: len(fake.acks_for(mid)) == 2)
    await _deliver(srt)
    assert await _count(srt, Opportunity) == 1
    [card] = fake.cards  # interactive card (template configured), STREAM callbacks
    assert card["callbackType"] == "STREAM" and card["openSpaceId"].endswith("cidGroup1==")

    params = card["cardData"]["cardParamMap"]
    click = {"outTrackId": card["outTrackId"], "userId": "u001", "type": "actionCallback", "corpId": "c",
             "content": json.dumps({"cardPrivateData": {"params": {"action": params["btn2_action"]}}})}
    cid = fake.push("CALLBACK", CARD_TOPIC, click, "m-card-1")
    await until(lambda: fake.acks_for(cid))
    response = json.loads(fake.acks_for(cid)[0]["data"])["response"]
    assert response["cardUpdateOptions"] == {"updatePrivateDataByKey": True}
    assert response["userPrivateData"]["cardParamMap"]["title"]


async def test_system_and_event_frames_are_acked_per_protocol(srt, fake):
    pid = fake.push("SYSTEM", "ping", {"opaque": "op-1"})
    await until(lambda: fake.acks_for(pid))
    assert json.loads(fake.acks_for(pid)[0]["data"]) == {"opaque": "op-1"}
    data = {"processInstanceId": "pi-1", "type": "finish", "result": "agree", "staffId": "u001"}
    eid = fake.push("EVENT", "*", data, eventType="bpms_instance_change", eventId="ev-9")
    await until(lambda: fake.acks_for(eid))
    ack = fake.acks_for(eid)[0]
    assert ack["code"] == 200 and json.loads(ack["data"])["status"] == "SUCCESS"
    async with srt.db.sessions() as s:
        [row] = (await s.execute(select(InboxEvent))).scalars().all()
    assert (row.kind, row.dedupe_key) == ("platform", "event:ev-9")


async def test_a_frame_we_cannot_use_is_archived_and_acked(srt, fake):
    mid = fake.push("CALLBACK", BOT_TOPIC, {"msgtype": "text", "text": {"content": "hi"}})
    await until(lambda: fake.acks_for(mid))
    assert fake.acks_for(mid)[0]["code"] == 200
    async with srt.db.sessions() as s:
        [row] = (await s.execute(select(RejectedRequest))).scalars().all()
    assert row.route == f"stream:{BOT_TOPIC}" and "msgId" in row.reason


async def test_disconnect_reconnects_with_a_fresh_ticket_and_stop_is_fast(streaming, fake):
    _, held = streaming
    fake.push("SYSTEM", "disconnect", {"reason": "connection is expired"})
    await until(lambda: held.client.connections == 2 and fake.connected())
    assert len(fake.opens) == 2
    started = time.monotonic()
    await held.lease.stop()
    assert time.monotonic() - started < 5 and not fake.connected() and held.client is None


async def test_blocking_calls_run_off_the_loop_with_a_timeout():
    ticks = 0

    async def tick():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    ticker = asyncio.ensure_future(tick())
    with pytest.raises(TimeoutError):
        await in_thread(lambda: time.sleep(0.3), timeout=0.1)
    assert await in_thread(lambda: 42, timeout=1) == 42
    ticker.cancel()
    assert ticks >= 5  # the loop kept running while the call blocked


async def test_open_failure_backs_off_and_stop_still_returns(sqlite_url, fake, clock):
    settings = dingtalk_settings(sqlite_url, fake, mode="stream", client_secret="wrong")
    rt = await make_runtime(settings, clock)
    client = StreamClient(rt)
    client.start_background()
    await until(lambda: fake.refused_opens >= 1)
    started = time.monotonic()
    await client.stop()
    assert time.monotonic() - started < 5 and client.connections == 0
    await rt.stop()
