"""Delayed card updates with a click's token: at most 2 uses, only while fresh, refusals fall back to a send."""

from __future__ import annotations

import pytest

from bot.config import FeishuConfig
from bot.platforms.feishu.api import FeishuAPI
from tests.fakes.feishu import APP_ID, APP_SECRET

CARD = {"schema": "2.0", "config": {"update_multi": True}, "header": {}, "body": {"elements": []}}
NOW = 1_800_000_000.0


@pytest.fixture
async def api(fake):
    client = FeishuAPI(FeishuConfig(enabled=True, app_id=APP_ID, app_secret=APP_SECRET, api_base=fake.url),
                       wall=lambda: NOW)
    yield client
    await client.close()


def _late(token: str = "c-1", until: float = NOW + 60, uuid: str = "sb-1") -> dict:
    return {"msg_type": "interactive", "card": CARD, "uuid": uuid, "delayed_update": {"token": token, "until": until}}


async def test_a_token_replaces_the_card_twice_then_messages_are_sent(api, fake):
    for n in range(3):
        await api.send("oc_chat", _late(uuid=f"sb-{n}"))
    assert [m["op"] for m in fake.messages] == ["delayed_update", "delayed_update", "create"]
    assert fake.messages[0]["body"] == {"token": "c-1", "card": CARD}


async def test_an_expired_token_is_not_tried(api, fake):
    await api.send("oc_chat", _late(until=NOW - 1))
    assert [m["op"] for m in fake.messages] == ["create"] and fake.token_uses == {}


async def test_a_refused_token_falls_back_to_sending_the_card(api, fake):
    fake.token_uses["c-used"] = 2  # used up elsewhere (another replica, or the inline answer's own update)
    await api.send("oc_chat", _late(token="c-used"))
    assert [m["op"] for m in fake.messages] == ["create"]
