"""Shared fixtures: a migrated database on SQLite (and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.config import Settings, load_settings
from bot.core.clock import ManualClock
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from bot.web.app import create_app
from storage.db import Database
from tests.schema import migrate

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_SKIP = "TEST_DATABASE_URL not set: PostgreSQL variant skipped (CI sets it; see .ci/run)"


class PgSchema:
    """A throwaway schema on the test PostgreSQL, so tests never see each other's rows."""

    def __init__(self) -> None:
        self.name = "t_" + uuid.uuid4().hex[:10]
        self.url = f"{PG_URL}?options=-csearch_path%3D{self.name}"

    async def _admin(self, sql: str) -> None:
        admin = Database(PG_URL)
        try:
            async with admin.engine.begin() as conn:
                await conn.execute(text(sql))
        finally:
            await admin.close()

    async def create(self) -> str:
        """Create the schema and return a URL whose search_path points at it."""
        await self._admin(f"CREATE SCHEMA {self.name}")
        return self.url

    async def drop(self) -> None:
        """Drop the schema and everything in it."""
        await self._admin(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request, tmp_path) -> AsyncIterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = PgSchema()
    yield await schema.create()
    await schema.drop()


@pytest.fixture
async def sqlite_url(tmp_path) -> str:
    """A fresh SQLite database URL (tests that need only one backend)."""
    return f"sqlite+aiosqlite:///{tmp_path}/test.db"


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when the test says so."""
    return ManualClock()


def make_settings(url: str, **sections) -> Settings:
    """Built-in defaults with the database URL and any section overrides applied."""
    settings = load_settings(env={})
    settings.database.url = url
    settings.server.admin_token = "test-admin-token"
    for section, values in sections.items():
        for key, value in values.items():
            setattr(getattr(settings, section), key, value)
    return settings


@pytest.fixture
async def migrated_db(db_url) -> AsyncIterator[Database]:
    """A migrated database on each backend."""
    db = Database(db_url)
    await migrate(db)
    yield db
    await db.close()


async def _runtime(url: str, clock: ManualClock) -> Runtime:
    db = Database(url)
    await migrate(db)
    rt = Runtime(make_settings(url), clock=clock, db=db, apis={"playground": PlaygroundAPI()})
    rt.inbox.start()
    return rt


@pytest.fixture
async def rt(sqlite_url, clock) -> AsyncIterator[Runtime]:
    """A Runtime on SQLite with a manual clock; the sender is driven by tests (run_once)."""
    runtime = await _runtime(sqlite_url, clock)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def rt_any(db_url, clock) -> AsyncIterator[Runtime]:
    """The same Runtime on each backend."""
    runtime = await _runtime(db_url, clock)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def client(aiohttp_client, rt):
    """An aiohttp test client over the full app (services driven by the tests)."""
    return await aiohttp_client(create_app(rt))
