"""Long-connection mode against the fake endpoint: events, card frames, split payloads, pings, ACKs."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from sqlalchemy import select

from bot.platforms.feishu.extras.ws import LongConnection
from bot.platforms.feishu.platform import lifespan
from storage.models import Approval, RejectedRequest
from storage.repos import members
from tests.bot.platforms.feishu.conftest import click, envelope, mention, text_message
from tests.bot.platforms.feishu.extras.test_approvals import BOSS, request_approval
from tests.fakes.feishu import BOT_OPEN_ID
from tests.helpers import add_member, run_queues


@pytest.fixture
async def conn(frt, fake):
    frt.settings.feishu.mode = "ws"
    connection = LongConnection(frt, reconnect=False)
    connection.start()
    await asyncio.wait_for(fake.ws_connected.wait(), 5)
    yield connection
    await connection.stop()


async def _rep(rt) -> None:
    member_id = await add_member(rt, "李娜")
    async with rt.db.session() as s:
        await members.link_identity(s, member_id, "feishu", "ou_rep")


async def _deliver(rt) -> None:
    await run_queues(rt)


def _ack(frame) -> dict:
    return json.loads(frame.payload)


async def test_a_message_over_the_long_connection_is_acked_and_answered(conn, frt, fake):
    await _rep(frt)
    event = envelope("im.message.receive_v1", text_message(
        "@_user_1 新建商机 华东医疗", "ou_rep", mentions=[mention("@_user_1", BOT_OPEN_ID)]))
    ack = await fake.push(event)
    assert _ack(ack) == {"code": 200} and ack.header("biz_rt").isdigit() and ack.header("message_id") == "m1"
    await _deliver(frt)
    assert fake.cards()[0]["header"]["title"]["content"] == "新商机：华东医疗"
    assert fake.pings >= 1 and conn.ping_interval == 90  # the pong's ClientConfig was applied


async def test_card_frames_are_answered_in_the_ack(conn, frt, fake):
    await _rep(frt)
    ack = _ack(await fake.push(click("help|all", "ou_rep"), kind="card"))
    answer = json.loads(base64.b64decode(ack["data"]))
    assert ack["code"] == 200 and answer["card"]["data"]["header"]["title"]["content"] == "销售助手能做什么"


async def test_split_payloads_are_reassembled(conn, frt, fake):
    await _rep(frt)
    event = envelope("im.message.receive_v1", text_message("帮助", "ou_rep", chat_type="p2p", chat_id="oc_p2p"))
    assert _ack(await fake.push(event, parts=3, message_id="big"))["code"] == 200
    await _deliver(frt)
    assert len(fake.cards()) == 1


async def test_malformed_payloads_are_archived_and_acked(conn, frt, fake):
    assert _ack(await fake.push({"hello": "world"}))["code"] == 200
    async with frt.db.session() as s:
        [row] = (await s.execute(select(RejectedRequest))).scalars().all()
    assert row.route == "feishu:ws" and "unknown envelope" in row.reason


async def test_ws_mode_opens_the_connection_in_feishus_lifespan(frt, fake):
    frt.settings.feishu.mode = "ws"
    async with lifespan(frt) as held:
        await asyncio.wait_for(fake.ws_connected.wait(), 5)
        assert held.client is not None and frt.connections.links[held.client.name].state != "standby"
    assert held.client is None  # stopped with the lifespan


async def test_approval_results_arrive_over_the_long_connection(fclient, conn, frt, fake):
    await request_approval(fclient, frt)
    [code] = fake.approval.instances
    push = fake.approval.decide(code, "APPROVED", BOSS, "同意")
    fake.fail_next("server_error")  # the approver lookup fails: ACK 500, so Feishu resends
    assert _ack(await fake.push(push, message_id="a1"))["code"] == 500
    assert _ack(await fake.push(push, message_id="a2"))["code"] == 200
    await _deliver(frt)
    async with frt.db.session() as s:
        assert (await s.execute(select(Approval.status))).scalar_one() == "approved"
