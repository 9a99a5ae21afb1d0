"""`salesbot serve`: migrate the embedded database, start every service, serve HTTP."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot import logs
from bot.config import Settings
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
    app.on_startup.append(_start_scheduler)
    app.on_shutdown.append(_stop_scheduler)
    url = f"http://{settings.server.host}:{settings.server.port}"
    if settings.playground.enabled:
        print(f"\n  salesbot is up — open the playground: {url}/playground\n", flush=True)
    web.run_app(app, host=settings.server.host, port=settings.server.port, print=None, shutdown_timeout=3,
                access_log=None)
    return 0


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


async def _start_scheduler(app: web.Application) -> None:
    rt = app[RUNTIME]
    rt.scheduler = Scheduler(rt)
    rt.scheduler.start()


async def _stop_scheduler(app: web.Application) -> None:
    rt = app[RUNTIME]
    if rt.scheduler is not None:
        rt.scheduler.shutdown()
        await rt.scheduler.drain()  # a job already running finishes before the database closes
