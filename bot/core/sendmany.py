"""Queue many cards in one outbox statement (scans and batches), rendered like every other outgoing card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from bot.core.cards import Card
from bot.core.context import Context
from bot.core.events import ChatRef


class Outgoing(NamedTuple):
    """One card to queue: the arguments of `Context.send`."""

    key: str
    to: ChatRef
    card: Card | None
    text: str = ""
    extra: dict[str, Any] = {}


async def send_many(ctx: Context, items: Sequence[Outgoing]) -> set[str]:
    """Queue the cards in one outbox statement; return the keys queued now (new keys)."""
    return await ctx.send_many([(o.key, o.to, o.card, o.text, o.extra) for o in items])
