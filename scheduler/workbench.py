"""WeCom workbench key data (`wecom_workbench`, every [schedule] workbench_minutes): 今日必做 n, 待跟进线索 n, 已超时 n.

Each run computes every member's three counts set-based (storage/repos/workbench.py) and queues one
`set_workbench` task (platform "wecom"; not a message, so not the outbox) for each member
whose counts changed since the last push, or whose last push is older than REFRESH (so the signed link
behind the numbers never expires and a dead-lettered update heals itself). The key is
`workbench:<member>:<hash>`, the hash chained on the previous one: a re-run of the same state sends
nothing, and counts going 3 → 2 → 3 still send the third update. A queued update that a newer one
replaced before it ran is skipped (tasks are not ordered; the newest numbers win). Members without a WeCom
identity are counted in the summary. Nothing runs unless [wecom] is enabled.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.links import me_link
from bot.core.ports import NewTask
from sales.pushtime import local_day
from sales.stages import pipeline_from_config
from scheduler.push_common import SHOW_NAMES
from storage.repos import pushes
from storage.repos import workbench as repo

PLATFORM = "wecom"
LABEL = "企业微信工作台"
REFRESH = timedelta(days=3)  # resend unchanged numbers this often; the link in them lives 7 days
KEYS = ("今日必做", "待跟进线索", "已超时")
CHUNK = 1000


def chain(previous: str, counts: repo.Counts, member_id: int) -> str:
    """The next key hash: the counts chained on the previous hash, 16 hex characters."""
    return hashlib.sha256(f"{previous}|{member_id}|{counts.label()}".encode()).hexdigest()[:16]


def items(counts: repo.Counts, link: str) -> list[dict[str, str]]:
    """The keydata items set_workbench_data takes, each opening the member's page."""
    values = (counts.must_do, counts.open_leads, counts.overdue)
    return [{"key": key, "data": str(n), "jump_url": link} for key, n in zip(KEYS, values, strict=True)]


def _due(prev: tuple[str, str, datetime | None] | None, counts: repo.Counts, now: datetime) -> bool:
    return prev is None or prev[0] != counts.label() or prev[2] is None or now - prev[2] >= REFRESH


async def run(ctx: Context, fire_at: datetime) -> str:
    """Push changed workbench numbers for every member linked to WeCom."""
    if not ctx.settings.wecom.enabled:
        return f"{LABEL}：未开启企业微信（[wecom] enabled = false），未更新"
    people = await pushes.people(ctx.session, ("rep", "manager", "admin"))
    userids = await repo.platform_ids(ctx.session, PLATFORM)
    pipeline = pipeline_from_config(ctx.settings.opportunities.stages)
    counts = await repo.counts(ctx.session, fire_at, local_day(fire_at, ctx.settings.tz), pipeline)
    states = await repo.states(ctx.session)
    rows, saves, missing = [], [], []
    for p in people:
        if p.id not in userids:
            missing.append(p.name)
            continue
        c, prev = counts.get(p.id, repo.Counts()), states.get(p.id)
        if not _due(prev, c, fire_at):
            continue
        digest, user = chain(prev[1] if prev else "", c, p.id), userids[p.id]
        payload = {"userid": user, "items": items(c, me_link(ctx.settings, p.id, fire_at)), "member_id": p.id,
                   "chain": digest}
        rows.append(NewTask("set_workbench", PLATFORM, f"workbench:{p.id}:{digest}", payload))
        saves.append({"member_id": p.id, "counts": c.label(), "chain": digest, "pushed_at": fire_at})
    sent = 0
    for start in range(0, len(rows), CHUNK):
        sent += len(await ctx.tasks.add_many(rows[start:start + CHUNK]))
    await repo.save_states(ctx.session, saves)
    return summary(sent, len(people) - len(missing) - len(rows), missing)


def summary(sent: int, unchanged: int, missing: list[str]) -> str:
    """Say what the run did, e.g. "企业微信工作台：更新 12 人，30 人没有变化，2 人没有绑定企业微信（张三、李四）"."""
    parts = [f"{LABEL}：更新 {sent} 人", f"{unchanged} 人没有变化"]
    if missing:
        shown = "、".join(missing[:SHOW_NAMES]) + ("等" if len(missing) > SHOW_NAMES else "")
        parts.append(f"{len(missing)} 人没有绑定企业微信（{shown}）")
    return "，".join(parts)
