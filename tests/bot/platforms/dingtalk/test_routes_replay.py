"""Defect #19.2: a captured DingTalk header pair posted with a new body is refused (403), on every replica."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.platforms.dingtalk.extras import crypto
from bot.web.app import create_app
from storage.models import InboxEvent, Opportunity, SignatureSeen
from storage.repos import signatures
from tests.bot.platforms.dingtalk.conftest import (
    CARD_SECRET,
    add_dingtalk_member,
    card_headers,
    dingtalk_settings,
    make_runtime,
    now_ms,
    robot_headers,
    robot_message,
)


async def _count(rt, model) -> int:
    async with rt.db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_replayed_robot_signature_with_a_new_body_is_403(dclient, drt, fake):
    await add_dingtalk_member(drt, "韩总", "u009", role="manager")
    headers = robot_headers(drt)
    first = robot_message(drt, fake, "帮助", msg_id="m-1", staff="u009")
    assert (await dclient.post("/dingtalk/robot", json=first, headers=headers)).status == 200
    forged = robot_message(drt, fake, "新建商机 伪造客户 预算 100万", msg_id="m-2", staff="u009")
    resp = await dclient.post("/dingtalk/robot", json=forged, headers=headers)
    assert resp.status == 403 and "replayed" in (await resp.json())["error"]
    assert await _count(drt, Opportunity) == 0 and await _count(drt, InboxEvent) == 1


async def test_the_platform_retrying_the_same_body_is_let_through_and_deduped(dclient, drt, fake):
    headers, body = robot_headers(drt), robot_message(drt, fake, "帮助", msg_id="m-1")
    for _ in range(2):
        assert (await dclient.post("/dingtalk/robot", json=body, headers=headers)).status == 200
    assert await _count(drt, InboxEvent) == 1


async def test_a_second_replica_on_the_same_database_refuses_the_replay(aiohttp_client, drt, dclient, fake, clock):
    other = await make_runtime(dingtalk_settings(drt.settings.database.url, fake), clock)
    try:
        replica = await aiohttp_client(create_app(other))
        headers = robot_headers(drt)
        body = robot_message(drt, fake, "帮助", msg_id="m-1")
        assert (await dclient.post("/dingtalk/robot", json=body, headers=headers)).status == 200
        body["msgId"] = "m-2"
        assert (await replica.post("/dingtalk/robot", json=body, headers=headers)).status == 403
    finally:
        await other.stop()


async def test_card_callback_signatures_are_single_use_too(dclient, drt):
    headers = card_headers(drt)
    body = {"outTrackId": "nope", "userId": "u001", "content": "{}"}
    assert (await dclient.post("/dingtalk/card", json=body, headers=headers)).status == 400  # passed the signature
    body["userId"] = "u009"
    resp = await dclient.post("/dingtalk/card", json=body, headers=headers)
    assert resp.status == 403 and "replayed" in (await resp.json())["error"]


async def test_the_window_is_five_minutes_not_an_hour(dclient, drt, fake):
    ts = str(now_ms(drt) - 301_000)
    headers = {"timestamp": ts, "sign": crypto.hmac_sign("test-client-secret", ts)}
    resp = await dclient.post("/dingtalk/robot", json=robot_message(drt, fake, "帮助"), headers=headers)
    assert resp.status == 403 and "±300 s" in (await resp.json())["error"]
    ts = str(now_ms(drt) - 299_000)
    headers = {"x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": crypto.ddpaas_sign(CARD_SECRET, ts)}
    assert (await dclient.post("/dingtalk/card", json={"outTrackId": "x"}, headers=headers)).status == 400


async def test_used_signatures_are_pruned_after_their_window(drt, clock):
    now = clock.now()
    for i in range(signatures.PRUNE_EVERY):
        await signatures.claim(drt.db, "dingtalk.robot", f"sig-{i}", "d", now - timedelta(seconds=1), now)
    assert await _count(drt, SignatureSeen) == 0  # the 100th insert pruned every expired row
    await signatures.claim(drt.db, "dingtalk.robot", "live", "d", now + timedelta(minutes=5), now)
    assert await signatures.prune(drt.db, now) == 0 and await _count(drt, SignatureSeen) == 1
