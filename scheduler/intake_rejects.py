"""线索拒收日报 (`intake_rejects`, default 08:45): yesterday's refused intake payloads to every admin, once a day.

"Yesterday" is the org-local day before the fire. Each admin's card is keyed `intake_rejects:<fire date>:<admin
id>` (push_common.send_personal), so a re-fire, a manual `salesbot run-job intake_rejects` later that day or a
second replica sends nothing twice. A day without rejects sends nothing; admins without a platform identity
are named in the summary. The card says per channel how many were refused, the top reasons (field → problem)
and the fix: edit the channel's field map, then `salesbot intake replay --channel X`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.core.context import Context
from cards.views import ChannelRejects, intake_rejects_card
from sales.pushtime import day_bounds
from scheduler.push_common import send_personal, summary
from storage.repos import lead_admin, pushes

LABEL = "线索拒收日报"
JOB = "intake_rejects"
TOP_REASONS = 3
PROBLEM_CHARS = 80
_UNMAPPED = re.compile(r"^(?:missing: no field maps to \w+ \(unmapped fields: (.*)\)"
                       r"|缺少\w+：没有字段对应到 \w+（未对应的字段：(.*)）)$")


def yesterday(fire_at: datetime, tz) -> tuple[datetime, datetime]:
    """Return [yesterday 00:00, today 00:00) in org time, for the day of `fire_at`."""
    today, _ = day_bounds(fire_at, tz)
    start, _ = day_bounds(today - timedelta(hours=12), tz)  # noon-ish step back: DST-safe
    return start, today


def short_problem(problem: str) -> str:
    """Say the problem briefly; the card gives the fix, so "…; add one to … and run …" is dropped."""
    head = str(problem).split("; add one", 1)[0].split("；在 [intake", 1)[0].strip()
    unmapped = _UNMAPPED.match(head)
    if unmapped:  # the names the source really sent are what the admin needs for the map
        head = f"没有字段映射到它（来源字段：{unmapped.group(1) or unmapped.group(2)}）"
    return head if len(head) <= PROBLEM_CHARS else head[:PROBLEM_CHARS - 1] + "…"


def rank(counts: dict[str, tuple[int, int]], rows: Iterable[tuple[str, dict]]) -> list[ChannelRejects]:
    """Turn per-channel counts and (channel, fields) rows into channels ranked by count, top reasons each."""
    reasons: dict[str, Counter] = {c: Counter() for c in counts}
    for channel, fields in rows:
        for field, problem in (fields or {}).items():
            reasons.setdefault(channel, Counter())[(str(field), short_problem(problem))] += 1
    order = sorted(counts, key=lambda c: (-counts[c][0], c))
    return [ChannelRejects(c, counts[c][0], counts[c][1],
                           [(f, p, n) for (f, p), n in reasons[c].most_common(TOP_REASONS)]) for c in order]


async def run(ctx: Context, fire_at: datetime) -> str:
    """Build yesterday's reject card and send it to each admin's personal chat."""
    start, end = yesterday(fire_at, ctx.settings.tz)
    day = start.date().isoformat()
    counts, rows = await lead_admin.rejects_between(ctx.session, start, end)
    if not counts:
        return f"{LABEL}：{day} 没有被拒收的线索，未推送"
    total = sum(n for n, _ in counts.values())
    admins = {p.id: p.name for p in await pushes.people(ctx.session, ("admin",))}
    if not admins:
        return f"{LABEL}：{day} 拒收 {total} 条，但没有在职的管理员（role = admin），未推送"
    card = intake_rejects_card(day, rank(counts, rows))
    out = await send_personal(ctx, fire_at, JOB, {a: card for a in admins}, admins)
    return summary(LABEL, out, extra=f"{day} 拒收 {total} 条（{len(counts)} 个渠道）")
