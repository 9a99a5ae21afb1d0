"""POST /playground/api/message and /playground/api/click: the page's typed messages and clicks, as Events.

The page itself and its console (people, timeline, outbox, clock, jobs) are bot/web/playground.py: they drive
the scheduler and the clock, which a platform may not reach.
"""

from __future__ import annotations

from aiohttp import web

from bot.platforms.http import read_json, runtime
from bot.platforms.playground import adapter


def setup(app: web.Application) -> None:
    """Add the two inbound routes."""
    app.router.add_post("/playground/api/message", message)
    app.router.add_post("/playground/api/click", click)


async def message(request: web.Request) -> web.Response:
    """A typed message enters the same path as a platform callback."""
    rt = runtime(request)
    event = adapter.message_event(await read_json(request), rt.settings.org.bot_name)
    stored = await rt.dispatcher.ingest(event)
    return web.json_response({"inbox_id": stored.id, "duplicate": not stored.new}, status=202)


async def click(request: web.Request) -> web.Response:
    """A button click enters the same path as a platform card callback."""
    rt = runtime(request)
    stored = await rt.dispatcher.ingest(adapter.click_event(await read_json(request)))
    return web.json_response({"inbox_id": stored.id, "duplicate": not stored.new}, status=202)
