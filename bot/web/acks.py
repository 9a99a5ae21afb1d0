"""Acks first: while callbacks are being answered, the inbox workers, the sender and the task worker start nothing new.

On one event loop an ack waits behind whatever handler steps are queued before it; under a backlog that is
every worker's. Holding new starts while POSTs are in flight keeps the ack path short at any backlog; work
resumes once the callbacks pause (bot/ackgate.py: a quiet millisecond, or the hold under a never-ending flood),
and a callback that waits for its own handler's inline answer steps aside (Dispatcher.ingest_and_wait).
"""

from __future__ import annotations

from aiohttp import web

from bot.platforms.http import RUNTIME


@web.middleware
async def acks_first(request: web.Request, handler):
    """Hold new background starts while a POST (a platform callback, a form, a click) is answered."""
    if request.method != "POST":
        return await handler(request)
    with request.app[RUNTIME].acks.acking():
        return await handler(request)
