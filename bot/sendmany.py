"""Queue many cards in one outbox statement (scans and batches), rendered like every other outgoing card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from bot.context import Context
from bot.events import ChatRef
from cards.model import Card


class Outgoing(NamedTuple):
    """One card to queue: the arguments of `Context.send`."""

    key: str
    to: ChatRef
    card: Card | None
    text: str = ""
    extra: dict[str, Any] = {}


async def send_many(ctx: Context, items: Sequence[Outgoing]) -> set[str]:
    """Queue the cards in one statement through the context's runtime; return the keys queued now (new keys)."""
    if not items:
        return set()
    # Context carries the runtime's bound `enqueue`; its runtime renders and inserts many rows at once.
    many = getattr(getattr(ctx.enqueue, "__self__", None), "enqueue_many", None)
    if many is None:  # a context built without a Runtime: one statement per card, same keys, same result
        return {o.key for o in items if await ctx.send(o.to, o.card, o.key, o.text, **o.extra)}
    return await many(ctx.session, list(items))
