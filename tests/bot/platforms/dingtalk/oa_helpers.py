"""Helpers for the DingTalk OA approval tests: a quote in a DingTalk chat, encrypted events, what was sent."""

from __future__ import annotations

import json
from itertools import count

from sqlalchemy import select

from bot.platforms.dingtalk.extras import crypto
from storage.models import Approval, Opportunity, QueuedTask
from storage.repos import task_queue
from tests.bot.platforms.dingtalk.conftest import dingtalk_settings, robot_headers, robot_message, vector
from tests.fakes.dingtalk import CLIENT_ID
from tests.fakes.dingtalk_oa import PROCESS_CODE

QUOTE_STEPS = ("新建商机 华东医疗", "凭证 会议纪要 https://docs.example.com/minutes", "推进", "凭证 演示视频或链接 https://v.example.com",
               "报价 50万 7折", "推进")
_msg = count(1)


async def deliver(rt) -> None:
    """Run handlers, the sender and the task worker until nothing is left (results ingest new events)."""
    while True:
        await rt.dispatcher.drain()
        if not await rt.sender.run_once() + await rt.worker.run_once() and not rt.dispatcher.tasks:
            return


def oa_settings(url, fake, **extra):
    """DingTalk with OA approvals (the fake's process code) and the HTTP event subscription."""
    v = vector("dingtalk-http-event-crypto")["inputs"]
    return dingtalk_settings(url, fake, approval_process_code=PROCESS_CODE, event_token=v["token"],
                             event_aes_key=v["encoding_aes_key"], **extra)


def next_msg_id(prefix: str = "m") -> str:
    """A fresh robot msgId."""
    return f"{prefix}{next(_msg)}"


async def say(rt, client, fake, text: str, staff: str = "u001") -> None:
    """A robot message in the group over HTTP, handled and answered."""
    body = robot_message(rt, fake, text, msg_id=next_msg_id(), staff=staff)
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
    """(approval status, remark, opportunity stage, DingTalk instance id)."""
    async with rt.db.sessions() as s:
        approval = (await s.execute(select(Approval))).scalar_one()
        opp = (await s.execute(select(Opportunity))).scalar_one()
    return approval.status, approval.remark, opp.stage, approval.instance_id


async def create_row(rt) -> QueuedTask:
    """The create_approval task (key approval_create:<id>, as the outbox row was keyed)."""
    row = await task_queue.get(rt.db, "approval_create:1")
    assert row is not None and row.kind == "create_approval"
    return row


def titles(fake) -> list[str]:
    """Card titles sent, whatever the route (sessionWebhook body or robot API msgParam)."""
    out = []
    for sent in fake.sent:
        body = sent["body"]
        card = json.loads(body["msgParam"]) if "msgParam" in body else body.get("actionCard") or body.get("markdown")
        out.append((card or {}).get("title", ""))
    return out
