"""WecomAPI.set_workbench and fetch_media against the fake: shapes, token retry, JSON errors, size limits."""

from __future__ import annotations

import pytest

from bot.config import WecomConfig
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.platforms.wecom.api import WecomAPI
from tests.fakes.wecom import AGENT_ID, CORP_ID, SECRET

ITEMS = [{"key": "今日必做", "data": "3", "jump_url": "https://bot.example.com/dash/me?member=1"}]


@pytest.fixture
async def api(fake, clock):
    client = WecomAPI(WecomConfig(enabled=True, corp_id=CORP_ID, agent_id=AGENT_ID, secret=SECRET, api_base=fake.url),
                      None, clock, timeout=0.3)
    yield client
    await client.close()


async def test_workbench_key_data_is_set_for_the_member(api, fake):
    await api.send("workbench:lina", {"kind": "workbench", "userid": "lina", "items": ITEMS})
    assert fake.workbench == [{"agentid": AGENT_ID, "userid": "lina", "type": "keydata", "keydata": {"items": ITEMS}}]


async def test_workbench_errors_are_permanent_or_transient_as_wecom_says(api, fake):
    with pytest.raises(DeliveryError, match="40058"):
        await api.set_workbench("lina", [{"key": "今日必做", "data": 3}])  # data must be a string
    fake.fail_next("freq")
    with pytest.raises(TransientDeliveryError, match="45009"):
        await api.set_workbench("lina", ITEMS)
    with pytest.raises(DeliveryError, match="wecom_userid"):
        await api.set_workbench("", ITEMS)


async def test_media_is_downloaded_with_one_token_retry(api, fake):
    fake.add_media("M1", b"\x89PNG\r\n\x1a\n...", "image/png")
    fake.add_media("T1", b"meeting notes", "text/plain")
    assert await api.fetch_media("M1") == b"\x89PNG\r\n\x1a\n..."
    fake.fail_next("token_expired")
    assert await api.fetch_media("T1") == b"meeting notes"  # a text file is a file, not an error
    assert fake.token_calls == 2


async def test_unknown_or_expired_media_is_permanent_busy_is_transient(api, fake):
    with pytest.raises(DeliveryError, match=r"40007.*3 days"):
        await api.fetch_media("NOPE")
    fake.add_media("M1", b"x" * 10)
    fake.fail_next("busy")
    with pytest.raises(TransientDeliveryError):
        await api.fetch_media("M1")
    fake.fail_next("timeout")
    with pytest.raises(TransientDeliveryError, match="unreachable"):
        await api.fetch_media("M1")


async def test_media_over_the_limit_is_refused(api, fake):
    fake.add_media("BIG", b"x" * 5000)
    with pytest.raises(DeliveryError, match="max_media_bytes"):
        await api.fetch_media("BIG", max_bytes=4096)
    assert await api.fetch_media("BIG", max_bytes=5000) == b"x" * 5000


async def test_a_media_fetch_payload_needs_the_database(api, fake):
    fake.add_media("M1", b"x")
    payload = {"kind": "media_fetch", "evidence_id": 1, "ref": "M1", "name": "", "media_dir": "/nonexistent",
               "max_bytes": 100}
    with pytest.raises(DeliveryError, match="database"):
        await api.send("media:1", payload)
