"""Delivery shared by the push jobs: feature and holiday gates, personal and team sends, quiet hours, summaries.

Every message goes through `ctx.outbox.send`/`send_many` with the key `<job>:<org-local date>:<member or team id>`, so
a restart, a re-fire the same day or a second replica finds the key taken and sends nothing twice. Members
without an identity on an enabled platform are counted, named in the summary and logged — never skipped
silently. A run inside the quiet hours ([org] quiet_hours) queues its messages with `not_before` = the end of the
quiet hours (decided before the rows are written); a run on a holiday writes nothing.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.cards import Card
from bot.core.context import Context
from bot.core.events import ChatRef
from bot.core.ports import Outgoing
from flows.targets import personal_chats
from sales.pushtime import is_holiday, local_day, quiet_until
from storage.models import Team

log = logging.getLogger("salesbot.pushes")
SHOW_NAMES = 5  # unreachable people named in a summary; the log lists them all
_PAUSED = {"jobs": 0, "was_on": False}  # the cyclic collector is process-wide, so is who paused it


@dataclass
class Delivery:
    """How one job's sends went."""

    sent: int = 0
    already: int = 0
    unreachable: list[str] = field(default_factory=list)  # member or team names
    held_until: datetime | None = None


def gate(ctx: Context, fire_at: datetime, feature: str, label: str) -> str | None:
    """Return the summary of a run that must not push (feature off, holiday), else None."""
    if not getattr(ctx.settings.features, feature, False):
        return f"{label}：功能未开启（[features] {feature} = false），未推送"
    if is_holiday(fire_at, ctx.settings.tz, ctx.settings.schedule.holidays):
        return f"{label}：{local_day(fire_at, ctx.settings.tz)} 是节假日（[schedule] holidays），未推送"
    return None


async def send_personal(ctx: Context, fire_at: datetime, job: str, cards: dict[int, Card],
                        names: dict[int, str]) -> Delivery:
    """Send each member their card in their personal chat, keyed `<job>:<date>:<member>`."""
    day = local_day(fire_at, ctx.settings.tz)
    chats = await personal_chats(ctx.session, ctx.settings, list(cards))
    out = Delivery(unreachable=[names.get(m, f"#{m}") for m in chats.unreachable])
    if chats.unreachable:
        log.warning("members without a platform identity were not sent a push",
                    extra={"job": job, "member_ids": chats.unreachable})
    out.held_until = hold_until(ctx, fire_at)
    items = [Outgoing(f"{job}:{day}:{m}", chat, cards[m]) for m, chat in chats.chats.items()]
    new = await ctx.outbox.send_many(items, not_before=out.held_until)  # a few large statements, not one per rep
    out.sent, out.already = len(new), len(items) - len(new)
    return out


async def send_team(ctx: Context, fire_at: datetime, job: str, cards: dict[int, Card], teams: list[Team]) -> Delivery:
    """Send each team's card to the team's group chat, keyed `<job>:<date>:team<id>`."""
    day = local_day(fire_at, ctx.settings.tz)
    out = Delivery(held_until=hold_until(ctx, fire_at))
    for team in teams:
        if team.id not in cards:
            continue
        if not (team.group_platform and team.group_chat_id):
            out.unreachable.append(team.name)
            continue
        chat = ChatRef(team.group_platform, team.group_chat_id, True)
        await _count(ctx, out, chat, cards[team.id], f"{job}:{day}:team{team.id}")
    if out.unreachable:
        log.warning("teams without a group chat were not sent a push", extra={"job": job, "teams": out.unreachable})
    return out


async def _count(ctx: Context, out: Delivery, chat: ChatRef, card: Card, key: str) -> None:
    if await ctx.outbox.send(chat, card, key, not_before=out.held_until):
        out.sent += 1
    else:
        out.already += 1


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a push builds its batch (every rep's rows, cards and payloads).

    A 10,000-rep push allocates millions of short-lived containers, and the collector walked the growing heap
    thousands of times: ~2 of the must_do job's 9 s. Reference counting still frees everything that is not a
    cycle; the few cycles wait for the first collection after. Overlapping jobs: the last one out resumes it.
    """
    if _PAUSED["jobs"] == 0:
        _PAUSED["was_on"] = gc.isenabled()
        gc.disable()
    _PAUSED["jobs"] += 1
    try:
        yield
    finally:
        _PAUSED["jobs"] -= 1
        if _PAUSED["jobs"] == 0 and _PAUSED["was_on"]:
            gc.enable()


def hold_until(ctx: Context, at: datetime) -> datetime | None:
    """When a push made at `at` may reach people: the end of the org's quiet hours around it, else None (now)."""
    return quiet_until(at, ctx.settings.tz, ctx.settings.org.quiet_hours)


def summary(label: str, d: Delivery, unit: str = "人", missing: str = "无绑定账号", extra: str = "") -> str:
    """Say in one Chinese line what a push did, e.g. "今日必做：已推送 20 人，3 人无绑定账号（张三、李四、王五）"."""
    parts = [f"{label}：已推送 {d.sent} {unit}"]
    if d.already:
        parts.append(f"{d.already} {unit}此前已推送（不重复发送）")
    if d.unreachable:
        shown = "、".join(d.unreachable[:SHOW_NAMES]) + ("等" if len(d.unreachable) > SHOW_NAMES else "")
        parts.append(f"{len(d.unreachable)} {unit}{missing}（{shown}）")
    if d.held_until is not None:
        parts.append(f"静默时段，{d.held_until:%H:%M} 后送达")
    if extra:
        parts.append(extra)
    return "，".join(parts)
