"""今日必做 (default 09:00): each rep's three most important actions today, in their personal chat."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.core.cards import Card
from bot.core.context import Context
from cards.views import mustdo_card
from sales.pushtime import local_day
from sales.stages import pipeline_from_config
from scheduler.push_common import gate, gc_paused, send_personal, summary
from storage.repos import pushes as repo

LABEL = "今日必做"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Rank every rep's candidates in a handful of queries, remember what was shown, push the cards."""
    if (skipped := gate(ctx, fire_at, "pushes", LABEL)) is not None:
        return skipped
    with gc_paused():
        return await _push(ctx, fire_at)


async def _push(ctx: Context, fire_at: datetime) -> str:
    """Rank, remember and push: the job's work, with the garbage collector paused around it."""
    day = local_day(fire_at, ctx.settings.tz)
    reps = {p.id: p.name for p in await repo.people(ctx.session, ("rep",))}
    pipeline = pipeline_from_config(ctx.settings.opportunities.stages)
    ranked = {m: items for m, items in (await repo.must_do(ctx.session, fire_at, day, pipeline)).items()
              if m in reps and items}
    recording = asyncio.ensure_future(repo.record_items(ctx.session, day, ranked))
    cards: dict[int, Card] = {}
    try:
        for m, items in ranked.items():  # the items are stored while the cards are built
            if len(cards) % 500 == 0:
                await asyncio.sleep(0)  # the next batch of items reaches the database
            cards[m] = mustdo_card(reps[m], day, items)
    finally:
        await recording
    delivery = await send_personal(ctx, fire_at, "must_do", cards, reps)
    idle = len(reps) - len(ranked)
    return summary(LABEL, delivery, extra=f"{idle} 人今天没有到期事项（不打扰）" if idle else "")
