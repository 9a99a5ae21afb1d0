"""The manager's breach digest of a day: one card, sent by the day's first scan with breaches, updated by later ones.

The first card of the day is keyed `sla_breach:<day>:<manager>`; a later scan with new breaches queues
`sla_breach:<day>:<manager>:<HHMM>` as an update of it (`card_ref` names the first card): the playground
replaces the card, Feishu PATCHes and DingTalk PUTs the message remembered in the card_ref table, WeCom spends
the response_code of the first send once; where a platform cannot update, the update arrives as a new card
listing all of the day's breaches (docs/leads.md has the table).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, time, timedelta

from bot.core.context import Context
from bot.core.events import ChatRef
from bot.core.ports import Outgoing
from cards.views.lead_life import breach_digest_card
from sales import sla
from storage.repos import lead_batch as rb
from storage.repos import lead_sla
from storage.repos import leads as repo

Item = tuple[int, str, str, str]
EARLIER_DUE = timedelta(days=1)


async def outgoing(ctx: Context, now: datetime, fresh_ids: Collection[int],
                   chats: dict[int, ChatRef]) -> list[Outgoing]:
    """Today's digest for every manager with a breach flagged at `now`: new for the first, else an update."""
    s = ctx.session
    day = now.astimezone(ctx.settings.tz)
    start = datetime.combine(day.date(), time.min, ctx.settings.tz)
    # earlier breaches of the day are found by deadline: due within the day before (a scan down longer than that
    # lists only what it flags now); this scan's own breaches are read by id whatever their deadline
    rows = await lead_sla.breached_between(s, start, now, start - EARLIER_DUE, fresh_ids)
    owners = sorted({r.owner_id for r in rows if r.owner_id})
    managers = await repo.team_managers(s, owners) if owners else {}
    admins = await repo.admins(s)
    names = await rb.member_names(s, owners) if owners else {}
    items: dict[int, list[Item]] = {}
    fresh: set[int] = set()
    for r in rows:
        elapsed = sla.countdown(r.received_at or r.first_response_due_at, r.breached_at).removeprefix("还剩 ")
        item = (r.id, r.customer or r.contact_name or f"线索 #{r.id}", names.get(r.owner_id, "未分配"), elapsed)
        for boss in managers.get(r.owner_id, []) or admins:
            items.setdefault(boss, []).append(item)
            fresh |= {boss} if r.breached_at >= now else set()
    out = []
    for boss in sorted(fresh):
        if (chat := chats.get(boss)) is not None:
            out.append(await _card(ctx, day, boss, chat, items[boss], len(items[boss]) > _new(rows, now, items[boss])))
    return out


def _new(rows: list, now: datetime, mine: list[Item]) -> int:
    """How many of the manager's items breached just now."""
    just_now = {r.id for r in rows if r.breached_at >= now}
    return sum(item[0] in just_now for item in mine)


async def _card(ctx: Context, day: datetime, boss: int, chat: ChatRef, items: list[Item], later: bool) -> Outgoing:
    """The first digest of the day, or an update of it naming it by `card_ref`."""
    first = f"sla_breach:{day:%Y%m%d}:{boss}"
    card = breach_digest_card(items)
    if not later:
        return Outgoing(first, chat, card, extra={"card_ref": first})
    if chat.platform == "playground" and (row := await lead_sla.outbox_id(ctx.session, first)) is not None:
        chat = replace(chat, meta={**chat.meta, "message_id": f"out:{row}"})
    return Outgoing(f"{first}:{day:%H%M}", chat, card, extra={"card_ref": first, "update": True})
