"""WecomAPI.set_workbench and fetch_media against the fake: shapes, token retry, JSON errors, size limits."""

from __future__ import annotations

import pytest

from bot.config import WecomConfig
from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.core.ports import TaskRun
from bot.platforms.wecom.api import WecomAPI
from bot.platforms.wecom.extras.tasks import handlers
from tests.conftest import make_settings
from tests.fakes.wecom import AGENT_ID, CORP_ID, SECRET

ITEMS = [{"key": "今日必做", "data": "3", "jump_url": "https://bot.example.com/dash/me?member=1"}]


@pytest.fixture
async def api(fake, clock):
    client = WecomAPI(WecomConfig(enabled=True, corp_id=CORP_ID, agent_id=AGENT_ID, secret=SECRET, api_base=fake.url),
                      None, clock, timeout=0.3)
    yield client
    await client.close()


def _task(kind: str, payload: dict, clock) -> TaskRun:
    return TaskRun(f"{kind}:1", kind, "wecom", payload, 1, clock.now, _no_send, _no_ingest)


async def _no_send(*_args) -> bool:
    raise AssertionError("this task sends nothing")


async def _no_ingest(*_args) -> None:
    raise AssertionError("this task ingests nothing")


async def test_workbench_key_data_is_set_for_the_member_by_its_task(api, fake, clock):
    spec = handlers(api, make_settings("sqlite+aiosqlite://"))["set_workbench"]
    await spec.run(_task("set_workbench", {"userid": "lina", "items": ITEMS}, clock))
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


async def test_a_fetch_media_task_needs_the_database(api, fake, clock):
    fake.add_media("M1", b"x")
    payload = {"evidence_id": 1, "ref": "M1", "name": "", "media_dir": "/nonexistent", "max_bytes": 100}
    spec = handlers(api, make_settings("sqlite+aiosqlite://"))["fetch_media"]
    with pytest.raises(DeliveryError, match="database"):
        await spec.run(_task("fetch_media", payload, clock))


async def test_tasks_are_not_messages(api, fake):
    for kind in ("workbench", "media_fetch", "room_create"):  # once outbox kinds; now tasks (wecom/tasks.py)
        with pytest.raises(DeliveryError, match="unknown WeCom payload kind"):
            await api.send("x", {"kind": kind})
