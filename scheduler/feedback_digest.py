"""反馈周报 (`feedback_digest`, default Mon 09:30): last week's 反馈 entries to every admin, once per week.

"Last week" is the org-local Monday 00:00 before the fire's week up to this week's Monday 00:00. Each
admin's card is keyed `feedback_digest:<that Monday>:<admin id>`, so a re-fire, a manual
`salesbot run-job feedback_digest` later in the week or a second replica sends nothing twice. A week
without feedback sends nothing (the summary says so); admins without a platform identity are named.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context
from cards.views import feedback_digest_card
from flows.targets import personal_chats
from scheduler.push_common import Delivery, summary
from storage.repos import feedback, pushes

LABEL = "反馈周报"


def last_week(fire_at: datetime, tz) -> tuple[datetime, datetime]:
    """Return [Monday 00:00 of the week before `fire_at`'s week, this week's Monday 00:00), org-local."""
    local = fire_at.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (monday - timedelta(days=7)).replace(tzinfo=tz)  # DST-safe: rebuild the wall-clock midnight
    return start, monday.replace(tzinfo=tz)


async def run(ctx: Context, fire_at: datetime) -> str:
    """Build last week's digest card and send it to each admin's personal chat."""
    start, end = last_week(fire_at, ctx.settings.tz)
    entries = await feedback.between(ctx.session, start, end)
    week = start.date().isoformat()
    if not entries:
        return f"{LABEL}：{week} 这周没有收到反馈，未推送"
    admins = {p.id: p.name for p in await pushes.people(ctx.session, ("admin",))}
    if not admins:
        return f"{LABEL}：{len(entries)} 条反馈，但没有在职的管理员（role = admin），未推送"
    card = feedback_digest_card(f"{week} ~ {(end - timedelta(days=1)).date().isoformat()}",
                                [(e.who, e.team, e.text) for e in entries])
    chats = await personal_chats(ctx.session, ctx.settings, list(admins))
    out = Delivery(unreachable=[admins[m] for m in chats.unreachable])
    for admin_id, chat in chats.chats.items():
        if await ctx.outbox.send(chat, card, f"feedback_digest:{week}:{admin_id}"):
            out.sent += 1
        else:
            out.already += 1
    return summary(LABEL, out, extra=f"共 {len(entries)} 条反馈")
