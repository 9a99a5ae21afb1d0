"""Acks first: while a callback is being answered, the inbox workers start no new event.

On one event loop an ack waits behind whatever handler steps are queued before it; under a backlog that is
every worker's. Holding new handler starts while POSTs are in flight keeps the ack path short at any backlog;
handling resumes in the gaps between callbacks (a callback costs a fraction of a millisecond of CPU), and a
callback that waits for its own handler's inline answer steps aside (Dispatcher.ingest_and_wait).
"""

from __future__ import annotations

from aiohttp import web

from bot.platforms.http import RUNTIME


@web.middleware
async def acks_first(request: web.Request, handler):
    """Hold new handler starts while a POST (a platform callback, a form, a click) is answered."""
    if request.method != "POST":
        return await handler(request)
    with request.app[RUNTIME].dispatcher.pool.acks.acking():
        return await handler(request)
