"""Pay the first event's one-time costs right after start-up, on a thread, instead of inside the first acks.

The first ORM statement maps every model class (SQLAlchemy's configure step: ~45 ms and 2.4 MiB here) and the first
card each platform renders compiles its jinja template (Feishu's ~25 ms). Paid by the first event, on the event
loop, they held the acks of a flood meeting a fresh server: at 300 new events a second, 91 acks over 100 ms in
its first five seconds, the slowest 394 ms. On a thread the same work hands the loop back every switch interval
(5 ms), so callbacks keep being answered meanwhile; an ORM statement that comes first waits for the mapping,
as it would have done it itself. Only `serve` warms up: tests and commands pay these costs when they need them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.orm import configure_mappers

from bot.core.events import ChatRef
from bot.platforms import registry
from bot.runtime import Runtime
from cards.views import notice_card

log = logging.getLogger("salesbot")


def warm(rt: Runtime) -> None:
    """Map the models and render a card for every enabled platform (compiling its templates); never raises."""
    try:
        configure_mappers()
    except Exception:  # a broken mapping fails the first statement loudly; say it early too
        log.exception("warm-up: the ORM models could not be mapped")
    card = notice_card("salesbot", "warm-up")
    for platform in registry.enabled(rt.settings):
        if platform.renderer is None:  # e.g. lead intake: callbacks only, nothing sent back
            continue
        try:
            rt.renderers.render(ChatRef(platform.name, "warm-up", is_group=True), card, "", {})
        except Exception:
            log.exception("warm-up: a card could not be rendered", extra={"platform": platform.name})


@contextlib.asynccontextmanager
async def warming(rt: Runtime) -> AsyncIterator[None]:
    """Warm up on a thread while the block runs; on the way out, wait for it (it takes a fraction of a second)."""
    task = asyncio.create_task(asyncio.to_thread(warm, rt), name="warm-up")
    try:
        yield
    finally:
        await task
