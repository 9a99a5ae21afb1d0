"""The one way out: the Outbox port (bot/core/ports.py) over the caller's session.

Every message a handler, job, flow or task handler queues passes through `RenderingOutbox.send_many`
(`send` is a batch of one): it renders each card for its chat's platform, stores the card views the
rendered message links to, and inserts the rows in one statement in the caller's transaction, held
until `not_before` when the caller decided the message must wait (quiet hours, a report's send time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.core.ports import Outgoing
from storage.repos import card_views, outbox

Render = Callable[[ChatRef, "Card | None", str, dict[str, Any]], dict[str, Any]]


class RenderingOutbox:
    """Render for the target platform and queue in the caller's transaction, at most once per key."""

    def __init__(self, session: AsyncSession, now: Callable[[], datetime], render: Render) -> None:
        self.session, self.now, self.render = session, now, render

    async def send(self, to: ChatRef, card: Card | None, key: str, text: str = "", *,
                   not_before: datetime | None = None, **extra: Any) -> bool:
        """Queue a card (or text) for `to`; False if the key was queued before."""
        return bool(await self.send_many([Outgoing(key, to, card, text, extra)], not_before=not_before))

    async def send_many(self, items: Sequence[Outgoing], *, not_before: datetime | None = None) -> set[str]:
        """Render every item, store their card views, queue all in one statement; return the new keys."""
        if not items:
            return set()
        rows = [(o.key, o.to.platform, o.to.chat_id,
                 self.render(o.to, o.card, o.text, {**o.extra, "idempotency_key": o.key})) for o in items]
        views = {d: c for *_, payload in rows for d, c in payload.pop("views", {}).items()}
        now = self.now()
        await card_views.save(self.session, views, now)
        if len(rows) == 1:  # one row: the plain insert (the reply path's hot spot)
            key, platform, target, payload = rows[0]
            new = await outbox.enqueue(self.session, key, platform, target, payload, now, not_before)
            return {key[:200]} if new else set()
        return await outbox.enqueue_many(self.session, rows, now, not_before)
