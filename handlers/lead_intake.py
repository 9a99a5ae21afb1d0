"""Submitted leads: the intake route's lead events, run through the lead flow like every other event.

No feature switch: intake takes leads whatever `[features]` says (as it always has); the switch turns off the
lead commands and cards in chat, not the door leads come in by.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event, Reply
from bot.core.lead_submitted import KIND
from bot.core.routing import Router
from flows import lead_intake, lead_submission

router = Router("lead_intake")


@router.on(KIND)
async def submitted(event: Event, ctx: Context) -> Reply | None:
    """Create the lead (or merge it into the customer's), give it an owner and send the owner's card."""
    await lead_intake.take(ctx, lead_submission.submission(event))
    return None
