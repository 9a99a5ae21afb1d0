"""The demo company's people at work on leads: they receive the bot's cards and answer the way reps do.

A rep who gets a lead card clicks 接单, then answers from the card (记跟进 with text) or types `跟进 … 下次 …`;
a few are slow (the SLA scan reminds them and flags the breach) or never accept (the scan hands the lead on).
Later the lead becomes a deal (`新建商机` in the team group, bot/demo/deals.py), is closed with `无效`, or is
left alone until `pool_reclaim` takes it to the pool, where a teammate claims it from the `公海` card.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.actions import AcceptLead
from bot.core.packing import unpack
from bot.core.vocab import OPEN_LEAD_STATUSES, LeadStatus
from bot.demo import world
from bot.demo.calendar import in_work, working
from bot.demo.deals import Deals
from bot.demo.org import Org
from bot.demo.sim import Card, Sim
from sales import sla
from sales.lead_life import LOST_REASONS
from storage.models import Lead
from storage.repos import leads as leads_repo

H, D, M = timedelta(hours=1), timedelta(days=1), timedelta(minutes=1)


@dataclass
class Story:
    """What the demo knows about one lead: who asked, and the cards already answered."""

    prospect: world.Prospect
    answered: set[int] = field(default_factory=set)  # reps who got its card


class Leads:
    """Leads arriving through the intake flow, and the reps' answers to their cards."""

    def __init__(self, sim: Sim, org: Org, rng: random.Random) -> None:
        self.sim, self.org, self.rng = sim, org, rng
        self.names = world.Names()
        self.stories: dict[int, Story] = {}
        self.deals = Deals(sim, org, rng)
        sim.watchers.append(self.on_card)

    def arrivals(self, start: datetime, end: datetime, fresh: int = 8) -> None:
        """Schedule the period's leads: more on workdays and in office hours, a few in the last hours."""
        tz, day = self.sim.rt.settings.tz, start
        while day < end:
            busy = day.astimezone(tz).isoweekday() <= 5
            for _ in range(self.rng.choice((2, 3, 4)) if busy else self.rng.choice((0, 1))):
                local = day.astimezone(tz).replace(hour=0, minute=0) + H * self.rng.triangular(8, 21, 10.5)
                self.sim.at(local, self._arrive)
            day += D
        for _ in range(fresh):  # still on the clock when the demo ends: the playground shows live countdowns
            self.sim.at(end - M * self.rng.uniform(5, 300), self._arrive)

    async def _arrive(self) -> None:
        """One lead: mostly a new customer, sometimes one who already asked (merged into their lead), sometimes
        a business card a rep types in from the phone (`新线索`)."""
        if self.stories and self.rng.random() < .06:
            p = self.rng.choice(list(self.stories.values())).prospect
        else:
            p = world.prospect(self.rng, self.names)
            if self.rng.random() < .06:
                await self._enter(p)
                return
        name, source = world.channel(self.rng)
        result = await self.sim.post(name, world.lead_body(p, source))
        if result is None:
            return
        self.stories.setdefault(result.lead_id, Story(p))
        await self.sim.observe()  # its card, now that the story knows the lead
        if result.status == "queued":  # nobody could take it (night, weekend): the scan places it in hours
            self.sim.at(working(self.sim.rt.settings, self.sim.now()) + M, self._place)

    async def _enter(self, p: world.Prospect) -> None:
        """A rep enters the lead from the phone: it is theirs, accepted; they answer it like any other."""
        reps = [r for r in self.org.people.values() if r.role == "rep" and r.id not in self.org.leaving]
        rep = self.rng.choice(reps).id
        need = p.need.replace(" ", "")
        await self.sim.say(rep, f"dm:{rep}", f"新线索 {p.contact} {p.mobile} {p.company} {need}")
        story = Story(p, {rep})
        answer = in_work(self.sim.rt.settings, self.sim.now(), M * self.rng.triangular(3, 120, 15))
        self.sim.at(answer, lambda: self._first_response(rep, None, story))

    async def _place(self) -> None:
        await self.sim.job("sla_scan")

    async def on_card(self, card: Card) -> None:
        """A lead card reaches its rep: plan the answer, and the scans that would act if it is late."""
        if not card.chat.startswith("dm:") or "接单" not in card.buttons:
            return
        action = unpack(card.buttons["接单"])
        assert isinstance(action, AcceptLead)  # the 接单 button of a lead card
        rep, story = int(card.chat[3:]), self.stories.get(action.lead_id)
        if story is None or rep in story.answered:
            return
        first = not story.answered
        story.answered.add(rep)
        lead = await self._lead(action.lead_id)
        if first and rep not in self.org.leaving and self.rng.random() < .05:
            self._probes(lead, None, None)  # never accepted: the scan takes it back and hands it on
            return
        accept = in_work(self.sim.rt.settings, self.sim.now(), M * self.rng.uniform(2, 25), M * self.rng.uniform(0, 40))
        self.sim.at(accept, lambda: self.sim.click(rep, card.chat, card.buttons["接单"]))
        due = lead.first_response_due_at
        late = self.rng.random() < .08 and due is not None
        quick = accept + M * self.rng.triangular(3, 150, 20)
        answer = max(due, accept) + H * self.rng.uniform(.3, 6) if late and due is not None else quick
        self.sim.at(answer, lambda: self._first_response(rep, card, story))
        self._probes(lead, accept, answer)

    def _spread(self) -> timedelta:
        """How far into a working day a planned act lands when its day starts."""
        return H * self.rng.uniform(0, 6)

    async def _lead(self, lead_id: int) -> Lead:
        async with self.sim.rt.db.session() as s:
            lead = await leads_repo.get(s, lead_id)
        if lead is None:
            raise LookupError(f"lead {lead_id} was just carded, so it exists")
        return lead

    def _probes(self, lead: Lead, accept: datetime | None, answer: datetime | None) -> None:
        """The moments the every-minute SLA scan would act on this lead (end of the accept window, reminders,
        the deadline) that come before the rep does; the scan fires then. Other minutes it would find nothing."""
        cfg = self.sim.rt.settings
        week = sla.WorkWeek.parse(cfg.leads.work_hours, cfg.leads.work_days)
        if lead.assigned_at is not None:
            window = sla.due_at(lead.assigned_at, cfg.leads.accept_minutes / 60, cfg.tz, week)
            if accept is None or accept > window:
                self.sim.at(window + M, lambda: self._probe(lead.id))
        due = lead.first_response_due_at
        for before in (*cfg.sla.remind_before_minutes, 0):
            if due is not None and (answer is None or answer > due - M * before):
                self.sim.at(due - M * before + M, lambda: self._probe(lead.id))

    async def _probe(self, lead_id: int) -> None:
        """Fire the SLA scan at this minute when the lead still waits for an accept or an answer."""
        lead = await self._lead(lead_id)
        waiting = lead.status == LeadStatus.ASSIGNED or (lead.first_response_at is None and lead.breached_at is None)
        if lead.status in OPEN_LEAD_STATUSES and waiting:
            await self.sim.job("sla_scan")

    async def _first_response(self, rep: int, card: Card | None, story: Story) -> None:
        """Answer from the card (记跟进 with text) or by typing 跟进, sometimes with a next date, sometimes adding
        the decision maker as a contact (`客户`); then plan the end."""
        note, p = self.rng.choice(world.FIRST_CALLS), story.prospect
        if self.rng.random() < .4:
            note += f" 下次 {self.rng.choice(('明天', '周三', '周五', '3天后'))}"
        if card is not None and "记跟进" in card.buttons and self.rng.random() < .5:
            await self.sim.click(rep, card.chat, card.buttons["记跟进"], note)
        else:
            await self.sim.say(rep, f"dm:{rep}", f"跟进 {p.company} {note}")
        if self.rng.random() < .12:  # the decision maker's card, from the phone
            who, phone = world.person(self.rng), world.mobile(self.rng)
            await self.sim.say(rep, f"dm:{rep}", f"客户 {p.company} 联系人 {who} 手机 {phone}")
        self._outcome(rep, story)

    def _outcome(self, rep: int, story: Story) -> None:
        """Convert (新建商机), close as lost (无效), give back to the pool (放弃), or leave it: one more follow-up
        for some, nothing for the rest (pool_reclaim takes those)."""
        roll, now, cfg, p = self.rng.random(), self.sim.now(), self.sim.rt.settings, story.prospect
        if roll < .32:
            self.sim.at(in_work(cfg, now, D * self.rng.uniform(.3, 6), self._spread()), lambda: self.deals.open(rep, p))
        elif roll < .62:
            reason = self.rng.choices(LOST_REASONS[:-1], (2, 4, 3, 1, 3))[0]
            self.sim.at(in_work(cfg, now, D * self.rng.uniform(1, 12), self._spread()),
                        lambda: self.sim.say(rep, f"dm:{rep}", f"无效 {p.company} {reason}"))
        elif roll < .66:
            self.sim.at(in_work(cfg, now, D * self.rng.uniform(3, 15), self._spread()),
                        lambda: self.sim.say(rep, f"dm:{rep}", f"放弃 {p.company} 预算取消，明年再看"))
        elif roll < .84:
            note = self.rng.choice(world.LATER_CALLS)
            self.sim.at(in_work(cfg, now, D * self.rng.uniform(5, 25), self._spread()),
                        lambda: self.sim.say(rep, f"dm:{rep}", f"跟进 {p.company} {note}"))
