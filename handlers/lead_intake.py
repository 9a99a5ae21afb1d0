"""Submitted leads: the intake route's lead events, run through the lead flow like every other event.

No feature switch: intake takes leads whatever `[features]` says (as it always has); the switch turns off the
lead commands and cards in chat, not the door leads come in by.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.lead_submitted import LeadSubmitted
from bot.core.routing import Router
from flows import lead_intake

router = Router("lead_intake")


@router.on(LeadSubmitted)
async def submitted(lead: LeadSubmitted, ctx: Context) -> None:
    """Create the lead (or merge it into the customer's), give it an owner and send the owner's card."""
    await lead_intake.take(ctx, lead)
