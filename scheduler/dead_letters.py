"""未送达消息日报 (`dead_letters`, default 08:50): the outbox's dead letters (and dead tasks) to every admin, daily.

Each admin's card is keyed `dead_letters:<fire date>:<admin id>` (push_common.send_personal), so a re-fire or
a second replica sends nothing twice. A day with no dead letters and no dead tasks sends nothing. The card counts
them per platform, lists the newest with a reason in plain words, and gives the fix: `salesbot outbox retry
ID|--all` after the cause is repaired (details per row at /api/v1/dead_letters); dead tasks are counted per kind,
rerun with `salesbot outbox retry-tasks --all`.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from cards.views.dead_letters import dead_letters_card
from scheduler.push_common import send_personal, summary
from storage.repos import dead_letters, pushes, task_queue

LABEL = "未送达消息日报"
JOB = "dead_letters"


async def run(ctx: Context, fire_at: datetime) -> str:
    """Send the admins today's dead-letter card (nothing when there are none)."""
    counts, newest = await dead_letters.summary(ctx.session)
    tasks = await task_queue.dead_summary(ctx.session)
    day = fire_at.astimezone(ctx.settings.tz).date().isoformat()
    if not counts and not tasks:
        return f"{LABEL}：{day} 没有未送达的消息，未推送"
    what = f"{sum(counts.values())} 条未送达" + (f"，{sum(tasks.values())} 个后台任务失败" if tasks else "")
    admins = {p.id: p.name for p in await pushes.people(ctx.session, ("admin",))}
    if not admins:
        return f"{LABEL}：{what}，但没有在职的管理员（role = admin），未推送"
    card = dead_letters_card(day, counts, newest, tasks)
    out = await send_personal(ctx, fire_at, JOB, {a: card for a in admins}, admins)
    return summary(LABEL, out, extra=what)
