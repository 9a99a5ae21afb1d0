"""`card_view_prune`: delete stored full views whose links have expired (links last 7 days; a day's margin)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.viewlinks import LINK_TTL
from scheduler.registry import job
from storage.repos import card_views

KEEP = LINK_TTL + timedelta(days=1)


@job("card_view_prune", schedule="card_view_prune")
async def prune(ctx: Context, fire_at: datetime) -> str:
    """Delete the full views of cards older than their links."""
    gone = await card_views.prune(ctx.session, fire_at - KEEP)
    return f"清理过期的卡片完整页 {gone} 张"
