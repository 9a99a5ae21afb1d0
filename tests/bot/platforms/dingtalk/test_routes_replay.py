"""Defect #19.2: a captured DingTalk header pair cannot carry arbitrary bodies (403 past the bound), on every
replica; genuine callbacks stamped in the same millisecond (one signature, distinct bodies) pass up to the bound."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from bot.platforms import replay
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


def _bodies(drt, fake, n: int, staff: str = "u001") -> list[dict]:
    """n distinct robot messages (as n callbacks stamped in one millisecond would be)."""
    return [robot_message(drt, fake, "帮助", msg_id=f"m-{i}", staff=staff) for i in range(n)]


async def test_same_millisecond_messages_pass_up_to_the_bound_and_the_next_is_403(dclient, drt, fake, caplog):
    await add_dingtalk_member(drt, "韩总", "u009", role="manager")
    headers = robot_headers(drt)
    with caplog.at_level(logging.INFO, logger="salesbot.replay"):
        for body in _bodies(drt, fake, replay.MAX_BODIES, staff="u009"):
            assert (await dclient.post("/dingtalk/robot", json=body, headers=headers)).status == 200
        forged = robot_message(drt, fake, "新建商机 伪造客户 预算 100万", msg_id="m-x", staff="u009")
        resp = await dclient.post("/dingtalk/robot", json=forged, headers=headers)
    assert resp.status == 403 and "replayed" in (await resp.json())["error"]
    assert await _count(drt, Opportunity) == 0 and await _count(drt, InboxEvent) == replay.MAX_BODIES
    noted = [r for r in caplog.records if r.name == "salesbot.replay"]
    assert [r.levelno for r in noted] == [logging.INFO] * (replay.MAX_BODIES - 1) + [logging.WARNING]
    assert "refused" in noted[-1].getMessage()
    assert headers["sign"] not in caplog.text and "test-client-secret" not in caplog.text  # the pair is a credential
    assert all(headers["sign"] not in str(vars(r)) for r in noted)


async def test_the_platform_retrying_the_same_body_is_let_through_and_deduped(dclient, drt, fake):
    headers, body = robot_headers(drt), robot_message(drt, fake, "帮助", msg_id="m-1")
    for _ in range(2):
        assert (await dclient.post("/dingtalk/robot", json=body, headers=headers)).status == 200
    assert await _count(drt, InboxEvent) == 1


async def test_a_retry_is_let_through_even_when_the_signature_is_full(dclient, drt, fake):
    headers, bodies = robot_headers(drt), _bodies(drt, fake, replay.MAX_BODIES + 1)
    statuses = [(await dclient.post("/dingtalk/robot", json=b, headers=headers)).status for b in bodies]
    assert statuses == [200] * replay.MAX_BODIES + [403]
    assert (await dclient.post("/dingtalk/robot", json=bodies[3], headers=headers)).status == 200
    assert (await dclient.post("/dingtalk/robot", json=bodies[-1], headers=headers)).status == 403
    assert await _count(drt, InboxEvent) == replay.MAX_BODIES


async def test_replicas_on_the_same_database_count_one_signature_together(aiohttp_client, drt, dclient, fake, clock):
    other = await make_runtime(dingtalk_settings(drt.settings.database.url, fake), clock)
    try:
        replica = await aiohttp_client(create_app(other))
        headers, bodies = robot_headers(drt), _bodies(drt, fake, replay.MAX_BODIES + 2)
        half = replay.MAX_BODIES // 2
        sent = [await (dclient if i < half else replica).post("/dingtalk/robot", json=b, headers=headers)
                for i, b in enumerate(bodies[:replay.MAX_BODIES])]
        assert [r.status for r in sent] == [200] * replay.MAX_BODIES
        assert (await replica.post("/dingtalk/robot", json=bodies[-2], headers=headers)).status == 403
        assert (await dclient.post("/dingtalk/robot", json=bodies[-1], headers=headers)).status == 403
    finally:
        await other.stop()


async def test_card_callback_signatures_are_bounded_too(dclient, drt):
    headers = card_headers(drt)
    for i in range(replay.MAX_BODIES):
        body = {"outTrackId": "nope", "userId": f"u{i:03}", "content": "{}"}
        assert (await dclient.post("/dingtalk/card", json=body, headers=headers)).status == 400  # passed the guard
    body = {"outTrackId": "nope", "userId": "u999", "content": "{}"}
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
        await signatures.claim(drt.db, "dingtalk.robot", f"sig-{i % 50}", f"d{i}", now - timedelta(seconds=1), now,
                               replay.MAX_BODIES)
    assert await _count(drt, SignatureSeen) == 0  # the 100th insert pruned every expired row
    await signatures.claim(drt.db, "dingtalk.robot", "live", "d", now + timedelta(minutes=5), now, replay.MAX_BODIES)
    assert await signatures.prune(drt.db, now) == 0 and await _count(drt, SignatureSeen) == 1
