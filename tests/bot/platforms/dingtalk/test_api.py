"""DingTalkAPI against the fake: tokens, robot sends, cards, custom-robot signing and rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.core.events import ChatRef
from bot.platforms.dingtalk.api import DingTalkAPI
from cards.views import notice_card
from storage.repos import outbox
from tests.bot.platforms.dingtalk.conftest import dingtalk_settings

TEXT = {"kind": "message", "body": {"msgtype": "text", "text": {"content": "hi"}},
        "robot": {"msgKey": "sampleText", "msgParam": '{"content": "hi"}'}}


@pytest.fixture
async def api(sqlite_url, fake, clock):
    client = DingTalkAPI(dingtalk_settings(sqlite_url, fake).dingtalk, clock, timeout=0.5)
    yield client
    await client.close()


async def test_token_is_cached_and_refreshed_five_minutes_early(api, fake, clock):
    await api.send("group:cid1", TEXT)
    await api.send("user:u1", TEXT)
    assert fake.token_calls == 1
    clock.advance(timedelta(seconds=7200 - 301))
    await api.send("group:cid1", TEXT)
    assert fake.token_calls == 1
    clock.advance(timedelta(seconds=1))
    await api.send("group:cid1", TEXT)
    assert fake.token_calls == 2 and [s["via"] for s in fake.sent] == ["group", "oto", "group", "group"]


async def test_batch_send_splits_into_twenty_users_a_call(api, fake):
    users = ",".join(f"u{i}" for i in range(45))
    await api.send(f"users:{users}", TEXT)
    assert [len(s["body"]["userIds"]) for s in fake.sent] == [20, 20, 5]


async def test_server_errors_and_timeouts_are_transient_and_401_refreshes_the_token(api, fake):
    fake.fail_next("server_error")
    with pytest.raises(TransientDeliveryError, match="503"):
        await api.send("group:cid1", TEXT)
    fake.fail_next("timeout")
    with pytest.raises(TransientDeliveryError, match="Timeout"):
        await api.send("group:cid1", TEXT)
    fake.fail_next("bad_token")
    await api.send("group:cid1", TEXT)  # 401: a new token and one retry at once
    assert fake.token_calls == 2 and len(fake.sent) == 1
    fake.fail_next("bad_token")
    fake.fail_next("bad_token")
    with pytest.raises(TransientDeliveryError, match="401"):  # rejected twice: the sender retries later
        await api.send("group:cid1", TEXT)


async def test_bad_payloads_are_permanent(api):
    with pytest.raises(DeliveryError, match="unknown DingTalk target"):
        await api.send("room:1", TEXT)
    with pytest.raises(DeliveryError, match="payload kind"):
        await api.send("group:1", {"kind": "fax"})
    with pytest.raises(DeliveryError, match=r"webhooks\.west"):
        await api.send("webhook:west", TEXT)


async def test_custom_robot_is_signed_and_a_throttled_robot_is_left_alone(api, fake, clock):
    for _ in range(20):
        await api.send("webhook:east", TEXT)
    assert len(fake.sent) == 20 and fake.sent[0]["via"] == "webhook"
    with pytest.raises(TransientDeliveryError, match="over 20 messages a minute"):
        await api.send("webhook:east", TEXT)
    calls = len(fake.hook_times["east"])
    clock.advance(timedelta(minutes=9))
    with pytest.raises(TransientDeliveryError, match="waiting it out"):
        await api.send("webhook:east", TEXT)
    assert len(fake.hook_times["east"]) == calls  # no call reached DingTalk while muted


async def test_a_burst_through_the_sender_never_trips_the_custom_robot(drt, fake, clock):
    to = ChatRef("dingtalk", "webhook:east", True)
    async with drt.db.session() as s:
        for i in range(45):
            await (await drt.context(s)).outbox.send(to, notice_card(f"晨报 {i}", "今日必做"), f"push:{i}")
    sent_per_minute = []
    drt.sender.rate_clock = clock  # the robot's caps count on the test's clock
    for _ in range(4):
        before = len(fake.sent)
        for _ in range(6):  # a minute of sender passes, 10 s apart
            await drt.sender.run_once()
            clock.advance(timedelta(seconds=10))
        sent_per_minute.append(len(fake.sent) - before)
    assert fake.muted_until == {} and len(fake.sent) == 45
    assert max(sent_per_minute) <= 20
    assert (await outbox.counts(drt.db)).get("dead", 0) == 0
