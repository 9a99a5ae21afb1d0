"""首次交付验收之后 (daily at [schedule] accepted_deliveries): release deferred bonus shares and send NPS surveys.

A customer's first accepted delivery (Order.accepted_at) releases the deferred share of its new-customer bonus
(dated at the acceptance) and creates its one satisfaction survey; the owner gets the link to pass on, keyed
`nps_survey:<survey id>`, so the link is sent once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.ports import Outgoing
from cards.views import notice_card
from flows.scorecard_links import survey_link
from flows.targets import personal_chats
from sales.pushtime import quiet_until
from storage.repos import bonus, nps

LABEL = "验收后跟进"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Release what the acceptances unlocked and send each new survey's link to the customer's owner."""
    if not ctx.settings.features.scorecards:
        return f"{LABEL}：功能未开启（[features] scorecards = false）"
    released = await bonus.release(ctx.session)
    valid = timedelta(days=ctx.settings.scorecard.nps_valid_days)
    made = await nps.create_due(ctx.session, fire_at, fire_at - valid, valid)
    chats = await personal_chats(ctx.session, ctx.settings, sorted({o for _, o, _ in made if o is not None}))
    items: list[Outgoing] = []
    for sid, owner, customer in made:
        if owner in chats.chats:
            link = survey_link(ctx.settings, sid, fire_at + valid)
            text = "客户已经验收首次交付。把下面的链接发给客户（手机可直接打开，只需 10 秒）："
            card = notice_card(f"请{customer}做个满意度评价", text, items=[link])
            items.append(Outgoing(f"nps_survey:{sid}", chats.chats[owner], card))
    # a run inside the quiet hours reaches the reps when they end
    await ctx.outbox.send_many(items, not_before=quiet_until(fire_at, ctx.settings.tz, ctx.settings.org.quiet_hours))
    return f"{LABEL}：释放递延奖金 {released} 笔，新发满意度调查 {len(made)} 份（送达负责人 {len(items)} 份）"
