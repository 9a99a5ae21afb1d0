"""The one way out: the Outbox port (bot/core/ports.py) over the caller's session.

Every message a handler, job, flow or task handler queues passes through `RenderingOutbox.send_many`
(`send` is a batch of one): it renders each card for its chat's platform, stores the card views the
rendered message links to, and inserts the rows in the caller's transaction, held until `not_before`
when the caller decided the message must wait (quiet hours, a report's send time). A batch of up to
CHUNK messages is one statement; a larger one (a push to 10,000 reps) is written a chunk at a time while
the next chunk renders, so the database stores one while Python renders the other. `queued` hears the platform
of every row written, so only those platforms' sender lanes are woken after the commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.core.ports import Outgoing
from storage.repos import card_views, outbox

Render = Callable[[ChatRef, "Card | None", str, dict[str, Any]], dict[str, Any]]
Row = tuple[str, str, str, dict[str, Any]]  # key, platform, target, payload
CHUNK = 500  # messages per statement in a large batch
SLICE = 20  # messages rendered between two turns of the event loop, so a chunk being written keeps moving


class RenderingOutbox:
    """Render for the target platform and queue in the caller's transaction, at most once per key."""

    def __init__(self, session: AsyncSession, now: Callable[[], datetime], render: Render,
                 queued: Callable[[str], None] = lambda _platform: None) -> None:
        self.session, self.now, self.render, self.queued = session, now, render, queued

    async def send(self, to: ChatRef, card: Card | None, key: str, text: str = "", *,
                   not_before: datetime | None = None, **extra: Any) -> bool:
        """Queue a card (or text) for `to`; False if the key was queued before."""
        return bool(await self.send_many([Outgoing(key, to, card, text, extra)], not_before=not_before))

    async def send_many(self, items: Sequence[Outgoing], *, not_before: datetime | None = None) -> set[str]:
        """Render every item, store their card views, queue all (first of a key wins); return the new keys."""
        if not items:
            return set()
        now = self.now()
        if len(items) == 1:  # one row: the plain insert (the reply path's hot spot)
            rows, views = await self._render(items)
            await card_views.save(self.session, views, now)
            key, platform, target, payload = rows[0]
            self.queued(platform)
            queued = await outbox.enqueue(self.session, key, platform, target, payload, now, not_before)
            return {key[:200]} if queued else set()
        new: set[str] = set()
        writing: list[asyncio.Future[set[str]]] = []  # the chunk being written (at most one)
        try:
            for start in range(0, len(items), CHUNK):
                rows, views = await self._render(items[start:start + CHUNK])
                while writing:
                    new |= await writing.pop()
                writing.append(asyncio.ensure_future(self._write(rows, views, now, not_before)))
            while writing:
                new |= await writing.pop()
        finally:
            if writing and not writing[0].done():  # rendering failed: let the statement finish before unwinding
                await asyncio.wait(writing)
                writing[0].exception()  # retrieved; the render error is the one raised
        return new

    async def _render(self, items: Sequence[Outgoing]) -> tuple[list[Row], dict[str, Any]]:
        """Render items in order; return the rows and the card views their payloads link to."""
        rows: list[Row] = []
        for i, o in enumerate(items, 1):
            rows.append((o.key, o.to.platform, o.to.chat_id,
                         self.render(o.to, o.card, o.text, {**o.extra, "idempotency_key": o.key})))
            if i % SLICE == 0 and i < len(items):
                await asyncio.sleep(0)
        views = {d: c for *_, payload in rows for d, c in payload.pop("views", {}).items()}
        return rows, views

    async def _write(self, rows: list[Row], views: dict[str, Any], now: datetime,
                     not_before: datetime | None) -> set[str]:
        for platform in {platform for _key, platform, *_ in rows}:
            self.queued(platform)
        await card_views.save(self.session, views, now)
        return await outbox.enqueue_many(self.session, rows, now, not_before)
