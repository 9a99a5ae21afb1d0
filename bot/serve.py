"""`salesbot serve`: migrate the embedded database, start every service, serve HTTP.

Start-up and shutdown live here and only here (`running`): the runtime (inbox writer, crash replay, sender),
then each enabled platform's lifespan (streams, long connections, HTTP sessions, start-up calls), then the
scheduler; shutdown runs the other way round, so no new events arrive while the runtime drains.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot import logs
from bot.config import Settings
from bot.platforms import registry
from bot.platforms.http import RUNTIME
from bot.runtime import Runtime
from bot.web.app import create_app
from scheduler.core import Scheduler
from storage import schema_version
from storage.db import Database

log = logging.getLogger("salesbot")


def serve(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; shut down within a few seconds."""
    logs.setup()
    asyncio.run(_prepare(settings))
    rt = Runtime(settings)
    app = create_app(rt)
    app.cleanup_ctx.append(_services)
    url = f"http://{settings.server.host}:{settings.server.port}"
    if settings.playground.enabled:
        print(f"\n  salesbot is up — open the playground: {url}/playground\n", flush=True)
    web.run_app(app, host=settings.server.host, port=settings.server.port, print=None, shutdown_timeout=3,
                access_log=None)
    return 0


async def _services(app: web.Application) -> AsyncIterator[None]:
    async with running(app[RUNTIME]):
        yield


@contextlib.asynccontextmanager
async def running(rt: Runtime, scheduler: bool = True) -> AsyncIterator[None]:
    """Run the runtime, every enabled platform's clients and (optionally) the scheduler; stop them in reverse."""
    await rt.start()
    try:
        async with contextlib.AsyncExitStack() as clients:
            for platform in registry.enabled(rt.settings):
                await clients.enter_async_context(platform.lifespan(rt))
            if scheduler:
                await clients.enter_async_context(_scheduled(rt))
            yield
    finally:
        await rt.stop()


@contextlib.asynccontextmanager
async def _scheduled(rt: Runtime) -> AsyncIterator[None]:
    """Fire scheduled jobs while the block runs; a job already running finishes before the database closes."""
    scheduler = rt.scheduler = Scheduler(rt)
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown()
        await scheduler.drain()


async def _prepare(settings: Settings) -> None:
    """Migrate the embedded SQLite database; a shared PostgreSQL is migrated by `salesbot db upgrade`."""
    db = Database(settings.database.url)
    try:
        if await schema_version.is_current(db):
            return
        if db.dialect == "sqlite":
            # Imported here: Alembic costs start-up time and memory, and is needed only when there is work.
            from storage import migrate

            await migrate.upgrade(db)
        else:
            log.warning("database schema is not current; run `salesbot db upgrade` (readyz reports 503)")
    finally:
        await db.close()
