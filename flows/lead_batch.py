"""The lead flow over many submissions in one transaction; one submitted lead (an intake event) is a batch of one.

A batch runs in rounds. A round looks up every pending item's intake key, customer and recent lead with a few
IN-queries on unique or foreign-key indexes, decides each item in arrival order in memory (duplicate, came back,
or a new lead distributed on the Distributor's counters), then inserts customers, contacts and leads with
multi-row statements. An item whose customer or lead another item of the same round is creating waits for the
next round, where it merges exactly as it would have one request later. Timeline events, load counters, pool
turns and owner cards are written once at the end, so the cost per lead does not grow with the lead table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.core.context import Context
from bot.core.ports import Outgoing
from bot.core.vocab import LeadStatus
from cards.views import came_back_card
from flows.lead_distribution import Contended, Distributor, facts
from flows.lead_io import Answer, IntakeResult, Item, due_at, field_map
from flows.lead_rows import Found, NewLead, customer_row, lead_card_for, lead_row, marks
from flows.targets import personal_chats
from sales import intake, reason_words
from storage.models import Contact, LeadEvent
from storage.repos import lead_batch as rb


async def process(ctx: Context, channel: str, items: Sequence[Item]) -> list[IntakeResult | intake.IntakeInvalid]:
    """Run items through the lead flow in the caller's transaction; invalid ones come back as IntakeInvalid."""
    await rb.begin_write(ctx.session)
    mapped = all(item.li is not None for item in items)  # a lead event's fields were mapped by its adapter
    batch = _Batch(ctx, channel, *(({}, "") if mapped else await field_map(ctx, channel)))
    pending = list(range(len(items)))
    while pending:
        pending = await batch.round(items, pending)
    return await batch.finish(len(items))


class _Batch:
    """One transaction's worth of intake: decisions in memory, writes in a few statements."""

    def __init__(self, ctx: Context, channel: str, fmap: dict[str, str], source: str) -> None:
        self.ctx, self.s, self.channel, self.fmap, self.source = ctx, ctx.session, channel, fmap, source
        self.now = ctx.now()
        self.dist: Distributor | None = None
        self.answers: dict[int, Answer | intake.IntakeInvalid] = {}
        self.events: list[dict] = []
        self.cards: list[tuple[int, str, Any]] = []  # (owner, key, card or a NewLead to render)
        self.window = self.now - timedelta(days=ctx.settings.leads.dedupe_window_days)

    async def round(self, items: Sequence[Item], pending: list[int]) -> list[int]:
        """Decide and write what can be decided now; return the items that must wait for the next round."""
        known = await rb.leads_by_key(self.s, (items[i].key for i in pending))
        fresh = [i for i in pending if self._known_or_valid(i, items[i], known)]
        if not fresh:
            return []
        found = await self._lookup([items[i].lead() for i in fresh])
        later: list[int] = []
        taken: set[str] = set()
        created: list[NewLead] = []
        for i in fresh:
            item = items[i]
            cid = found.customer(item.lead())
            wants = marks(item, cid)
            if wants & taken:  # an item before it in this round creates what it would find: ask again next round
                later.append(i)
            elif cid is not None and cid in found.recent:
                self._came_back(i, item, found.rows[cid], found.recent[cid])
            else:
                taken |= wants
                created.append(self._create(i, item, found.rows.get(cid) if cid is not None else None))
        await self._write(created, found)
        return later

    def _known_or_valid(self, i: int, item: Item, known: dict[str, tuple[int, int | None]]) -> bool:
        """Answer a resubmission or an invalid payload now; True for an item that goes on."""
        if item.key in known:
            lead_id, owner = known[item.key]
            self._event(lead_id, "duplicate", note=self.channel, data={"intake_key": item.key})
            self.answers[i] = (lead_id, "duplicate", owner)
            return False
        if item.li is None:
            try:
                item.payload = intake.parse_body(item.body, item.content_type)
                item.li = intake.validate(self.channel, item.payload, self.fmap, self.source)
            except intake.IntakeInvalid as exc:
                self.answers[i] = exc
                return False
        return True

    async def _lookup(self, lis: list[intake.LeadInput]) -> Found:
        """Find the customers (locked), their recent leads and owners for a round's items."""
        found = Found(*await rb.customer_ids(self.s, (li.mobile or "" for li in lis),
                                              (li.get("wecom_external_userid") or "" for li in lis),
                                              (li.company_key for li in lis)))
        ids = {cid for li in lis if (cid := found.customer(li))}
        found.rows = await rb.lock_customers(self.s, ids)
        found.recent = await rb.recent_leads(self.s, ids, self.window)
        dist = self.dist = self.dist or await Distributor.load(self.ctx)
        await dist.know(r.owner_id for r in found.rows.values())
        return found

    def _came_back(self, i: int, item: Item, customer: Any, lead: Any) -> None:
        """Keep the existing lead and owner; archive the payload on its timeline and tell the owner."""
        li = item.lead()
        self._event(lead.id, "came_back", note=f"{li.channel} · {li.get('source')}",
                    data={"raw": item.payload, "intake_key": item.key})
        if lead.owner_id:
            self.cards.append((lead.owner_id, f"lead_back:{lead.id}:{item.key[:24]}",
                               came_back_card(lead.id, customer.name, li.channel)))
        self.answers[i] = (lead.id, "duplicate", lead.owner_id)

    def _create(self, i: int, item: Item, customer: Any | None) -> NewLead:
        """Decide the new lead's owner: the customer's active owner, else distribution."""
        li, owner = item.lead(), customer.owner_id if customer is not None else None
        new = NewLead(i, item.key, li, item.payload or {}, customer)
        dist = self._distributor()
        member = dist.member(owner) if owner else None
        if owner and member is not None and member.active:
            dist.take(owner)
            new.owner, new.reason = owner, reason_words.EXISTING
        else:
            choice = dist.choose(facts(li.channel, new.extra()))
            new.owner, new.reason, new.skipped = choice.member_id, choice.reason, choice.skipped
            new.sets_customer_owner = choice.member_id is not None and owner is None
        return new

    def _distributor(self) -> Distributor:
        """The distributor `_lookup` loaded for this batch."""
        if self.dist is None:
            raise RuntimeError("the batch decides owners only after its first lookup")
        return self.dist

    async def _write(self, created: list[NewLead], found: Found) -> None:
        """Insert the round's new customers, their keys and contacts, and the leads; set customers' owners."""
        fresh = [n for n in created if n.customer is None]
        ids = await rb.insert_customers(self.s, [customer_row(n, self.now) for n in fresh])
        for n in fresh:
            n.customer_id = ids[n.customer_key()]
        have = await rb.contacts_of(self.s, [n.customer_id for n in created if n.customer is not None])
        contacts = [n for n in created if n.needs_contact(have)]
        claims = {k: n.customer_id for n in contacts for k in n.identity() if not found.has(k)}
        if not await rb.claim_keys(self.s, claims):
            raise Contended("another intake claimed this mobile / WeCom id for a new customer; retry")
        await rb.insert_many(self.s, Contact, [n.contact_row() for n in contacts])
        due = due_at(self.ctx, self.now)
        lead_ids = await rb.insert_leads(self.s, [lead_row(n, self.now, due) for n in created])
        await rb.set_customer_owners(self.s, {n.customer_id: n.owner for n in created
                                              if n.customer is not None and n.sets_customer_owner and n.owner})
        for n in created:
            n.id, n.due = lead_ids[n.key], due
            self._record(n)

    def _record(self, n: NewLead) -> None:
        """Queue the new lead's timeline, its owner's card and its answer."""
        li = n.li
        self._event(n.id, "received", note=f"{li.channel} · {li.get('source')}")
        if n.owner is None:
            self._event(n.id, "queued", note=n.reason, data={"skipped": n.skipped})
        else:
            self._event(n.id, LeadStatus.ASSIGNED, n.owner, n.reason, {"skipped": n.skipped})
            self.cards.append((n.owner, f"lead_card:{n.id}:{n.owner}:{int(self.now.timestamp())}", n))
        self.answers[n.item] = (n.id, LeadStatus.ASSIGNED.value if n.owner else "queued", n.owner)

    def _event(self, lead_id: int, kind: str, member_id: int | None = None, note: str = "",
               data: dict | None = None) -> None:
        self.events.append({"lead_id": lead_id, "kind": kind, "member_id": member_id, "note": note[:300],
                            "data": data or {}, "at": self.now})

    async def finish(self, count: int) -> list[IntakeResult | intake.IntakeInvalid]:
        """Send the owners' cards, write the timeline, the counters and the turns; return the answers in order."""
        owners = {a[2] for a in self.answers.values() if isinstance(a, tuple) and a[2]}
        names = {i: m.name for i in owners if self.dist and (m := self.dist.member(i))}
        names |= await rb.member_names(self.s, owners - names.keys())
        await self._send_cards(names)
        await rb.insert_many(self.s, LeadEvent, self.events)
        if self.dist is not None:
            await self.dist.flush()
        out: list[IntakeResult | intake.IntakeInvalid] = []
        for i in range(count):
            a = self.answers[i]
            owner = names.get(a[2]) if not isinstance(a, intake.IntakeInvalid) and a[2] else None
            out.append(a if isinstance(a, intake.IntakeInvalid) else IntakeResult(a[0], a[1], owner))
        return out

    async def _send_cards(self, names: dict[int, str]) -> None:
        """Queue every card in one statement; an owner nobody can reach is noted on the lead's timeline."""
        chats = await personal_chats(self.s, self.ctx.settings, [owner for owner, _, _ in self.cards])
        out = []
        for owner, key, card in self.cards:
            if owner in chats.chats:
                if isinstance(card, NewLead):
                    card = lead_card_for(self.ctx, card, names.get(owner, "未分配"), self.now)
                out.append(Outgoing(key, chats.chats[owner], card))
            elif isinstance(card, NewLead):
                self._event(card.id, "undeliverable", owner,
                            "owner has no identity on an enabled platform; link one with `salesbot import members`")
        await self.ctx.outbox.send_many(out)
