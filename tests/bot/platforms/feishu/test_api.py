"""FeishuAPI against the fake open platform: tokens, shapes, rate limits and failures."""

from __future__ import annotations

import json

import pytest

from bot.config import FeishuConfig
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.platforms.feishu.api import FeishuAPI, receive_id_type
from bot.platforms.feishu.extras.limits import Throttle
from tests.fakes.feishu import APP_ID, APP_SECRET, BOT_OPEN_ID

CARD = {"schema": "2.0", "config": {"update_multi": True}, "header": {}, "body": {"elements": []}}


class FakeTime:
    """A monotonic clock and a sleep that only moves it."""

    def __init__(self) -> None:
        self.now, self.slept = 1000.0, []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
async def api(fake):
    t = FakeTime()
    client = FeishuAPI(FeishuConfig(enabled=True, app_id=APP_ID, app_secret=APP_SECRET, api_base=fake.url),
                       monotonic=t, sleep=t.sleep)
    client.t = t
    yield client
    await client.close()


def _payload(**extra) -> dict:
    return {"msg_type": "interactive", "card": CARD, "uuid": "sb-1", **extra}


async def test_send_to_chat_and_person_uses_the_right_receive_id_type(api, fake):
    await api.send("oc_chat", _payload())
    await api.send("dm:ou_person", _payload(uuid="sb-2"))
    assert [(m["receive_id_type"], m["receive_id"]) for m in fake.messages] == [("chat_id", "oc_chat"),
                                                                                ("open_id", "ou_person")]
    assert json.loads(fake.messages[0]["body"]["content"]) == CARD


def test_receive_id_type_from_prefix():
    assert [receive_id_type(t) for t in ("oc_1", "ou_1", "on_1", "a@b.cn", "e33ggbyz")] == [
        "chat_id", "open_id", "union_id", "email", "user_id"]


async def test_reply_patch_and_text(api, fake):
    await api.send("oc_chat", _payload(reply_to="om_9"))
    await api.send("oc_chat", _payload(update_message_id="om_card"))
    await api.send("oc_chat", {"msg_type": "text", "text": "你好", "uuid": "sb-3"})
    assert [m["op"] for m in fake.messages] == ["reply", "patch", "create"]
    assert fake.messages[1]["message_id"] == "om_card"
    assert json.loads(fake.messages[2]["body"]["content"]) == {"text": "你好"}


async def test_same_uuid_is_delivered_once(api, fake):
    await api.send("oc_chat", _payload())
    await api.send("oc_chat", _payload())
    assert len(fake.messages) == 1 and fake.duplicates == 1


async def test_token_is_cached_and_refreshed_early(api, fake):
    await api.send("oc_chat", _payload(uuid="a"))
    await api.send("oc_chat", _payload(uuid="b"))
    assert fake.token_calls == 1
    api.t.now += 7200 - 600  # ten minutes before the 2-hour expiry
    await api.send("oc_chat", _payload(uuid="c"))
    assert fake.token_calls == 2


async def test_rejected_token_is_renewed_once_and_the_call_retried(api, fake):
    await api.send("oc_chat", _payload(uuid="a"))
    fake.fail_next("token_expired")
    await api.send("oc_chat", _payload(uuid="b"))
    assert fake.token_calls == 2 and len(fake.messages) == 2


async def test_bad_credentials_are_permanent_and_say_what_to_fix(fake):
    api = FeishuAPI(FeishuConfig(app_id=APP_ID, app_secret="wrong", api_base=fake.url))
    try:
        with pytest.raises(DeliveryError, match="app_secret") as info:
            await api.send("oc_chat", _payload())
        assert not isinstance(info.value, TransientDeliveryError)
    finally:
        await api.close()


async def test_short_rate_limit_waits_for_the_reset_and_retries(api, fake):
    fake.fail_next("rate_limit", reset=1)
    await api.send("oc_chat", _payload())
    assert api.t.slept == [1.0] and len(fake.messages) == 1


async def test_long_rate_limit_goes_back_to_the_outbox(api, fake):
    fake.fail_next("rate_limit", reset=30)
    with pytest.raises(TransientDeliveryError, match="retry after 30 s"):
        await api.send("oc_chat", _payload())
    with pytest.raises(TransientDeliveryError, match="next slot"):  # nothing is sent before the reset
        await api.send("oc_other", _payload(uuid="x"))
    api.t.now += 30
    await api.send("oc_other", _payload(uuid="x"))
    assert len(fake.messages) == 1


async def test_server_errors_are_transient_and_bad_bodies_permanent(api, fake):
    fake.fail_next("server_error")
    with pytest.raises(TransientDeliveryError, match="HTTP 500"):
        await api.send("oc_chat", _payload())
    with pytest.raises(DeliveryError, match="99992402"):
        await api.send("oc_chat", {"msg_type": "interactive", "card": {"elements": []}, "uuid": "z"})


async def test_unreachable_api_is_transient():
    api = FeishuAPI(FeishuConfig(app_id=APP_ID, app_secret=APP_SECRET, api_base="http://127.0.0.1:9"))
    try:
        with pytest.raises(TransientDeliveryError, match="unreachable"):
            await api.send("oc_chat", _payload())
    finally:
        await api.close()


async def test_bot_open_id_is_cached(api, fake):
    assert await api.bot_open_id() == BOT_OPEN_ID
    assert await api.bot_open_id() == BOT_OPEN_ID
    assert fake.calls.count(("GET", "/open-apis/bot/v3/info")) == 1


async def test_throttle_allows_five_per_second_per_target():
    t = FakeTime()
    throttle = Throttle(monotonic=t, sleep=t.sleep)
    for _ in range(5):
        await throttle.acquire("oc_a")
    await throttle.acquire("oc_b")  # another chat is not held up
    assert t.slept == []
    await throttle.acquire("oc_a")
    assert t.slept == [1.0]
