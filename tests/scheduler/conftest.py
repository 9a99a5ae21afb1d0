"""Fixtures for jobs that talk to WeCom: the fake WeCom API and a WeCom-enabled runtime with a media store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime import Runtime
from storage.db import Database
from tests.bot.platforms.wecom.conftest import wecom_settings
from tests.fakes.wecom import FakeWecom
from tests.helpers import run_queues
from tests.schema import migrate


@pytest.fixture
async def fake(aiohttp_server, clock) -> FakeWecom:
    """A fake WeCom API on 127.0.0.1 keeping the test clock's time; its URL is fake.url."""
    fake = FakeWecom(now=lambda: clock.now().timestamp())
    server = await aiohttp_server(fake.app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def wrt(sqlite_url, fake, clock, tmp_path) -> AsyncIterator[Runtime]:
    """A Runtime with the real WecomAPI against the fake and [storage] media_dir in a temporary folder."""
    settings = wecom_settings(sqlite_url, fake.url)
    settings.storage.media_dir = str(tmp_path / "media")
    db = Database(settings.database.url)
    await migrate(db)
    runtime = Runtime(settings, clock=clock, db=db)
    runtime.inbox.start()
    yield runtime
    await runtime.stop()
    await runtime.apis["wecom"].close()


async def deliver(rt: Runtime) -> None:
    """Finish handlers and run the sender and the task worker until nothing is due."""
    await run_queues(rt)
