"""The demo's deals: `新建商机` in the team group, then evidence, stage moves, a quote, approvals and the close.

Each step is what a rep does in chat: the opportunity card's buttons (补凭证 with the text typed into its form,
推进到下一阶段, 客户已验收, the close-reason pick list), `拜访` / `演示` notes, `报价` in the deal's chat (a deal
room opened with `开群` when the team group's newest deal of that rep is another one). Managers answer the
approval cards posted in the deal's chat. Deals with a visit are won far more often, so the weekly insight
has something to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from bot.core.actions import AcceptDelivery, AdvanceStage, AskEvidence, CloseOpportunity
from bot.core.packing import unpack
from bot.demo import world
from bot.demo.calendar import in_work
from bot.demo.org import Org
from bot.demo.sim import Sim
from storage.repos.deal_rooms import PLAYGROUND_PREFIX

D, H = timedelta(days=1), timedelta(hours=1)
FATES = (("won", .5), ("lost", .3), ("slow", .2))
VISIT = {"won": .75, "lost": .2, "slow": .4}


@dataclass
class Deal:
    """One opportunity as the demo follows it."""

    id: int
    rep: int
    chat: str
    prospect: world.Prospect
    fate: str
    budget: str


class Deals:
    """Opens deals from converted leads and walks each through the stages on the agenda."""

    def __init__(self, sim: Sim, org: Org, rng: random.Random) -> None:
        self.sim, self.org, self.rng = sim, org, rng
        self.open_in: dict[tuple[int, str], list[int]] = {}  # (rep, chat) -> open deal ids, oldest first
        self.all: list[Deal] = []

    def later(self, days: tuple[float, float], act) -> None:
        """Schedule the next step a few working days on."""
        spread = H * self.rng.uniform(0, 6)
        self.sim.at(in_work(self.sim.rt.settings, self.sim.now(), D * self.rng.uniform(*days), spread), act)

    async def open(self, rep: int, p: world.Prospect) -> None:
        """`新建商机` for the lead's customer in the team group: the lead converts, the deal starts."""
        budget = self.rng.choice(world.BUDGETS)
        group = self.org.people[rep].group
        cards = await self.sim.say(rep, group, f"新建商机 {p.company} 预算 {budget} 行业 {p.trade} 需求 {p.need}")
        made = next((c for c in cards if c.title.startswith("新商机") and "补凭证" in c.buttons), None)
        if made is None:
            return  # refused (e.g. the customer went to a colleague meanwhile): the card said why
        fate = self.rng.choices([f for f, _ in FATES], [w for _, w in FATES])[0]
        ask = unpack(made.buttons["补凭证"])
        assert isinstance(ask, AskEvidence)  # the 补凭证 button of a new deal's card
        deal = Deal(ask.opportunity_id, rep, group, p, fate, budget)
        self.open_in.setdefault((rep, group), []).append(deal.id)
        self.all.append(deal)
        if self.rng.random() < VISIT[fate]:
            visit = f"拜访 {p.company} {self.rng.choice(world.VISITS)}"
            self.later((1, 8), lambda: self.sim.say(rep, f"dm:{rep}", visit))
        self.later((1, 3), lambda: self.needs(deal))

    def hand_over(self, source: int, target: int) -> None:
        """`salesbot handover` moved the source's deals: the target works them from now on."""
        for deal in self.all:
            if deal.rep == source:
                mine = self.open_in.get((source, deal.chat), [])
                if deal.id in mine:
                    mine.remove(deal.id)
                    self.open_in.setdefault((target, deal.chat), []).append(deal.id)
                deal.rep = target
        for ids in self.open_in.values():
            ids.sort()

    async def evidence(self, deal: Deal, text: str) -> None:
        """补凭证 on the deal's card, with the evidence typed into its form."""
        await self.sim.click(deal.rep, deal.chat, AskEvidence(opportunity_id=deal.id).pack(), text)

    async def advance(self, deal: Deal) -> None:
        """推进到下一阶段 on the deal's card; a quote over the discount line asks the manager, who answers."""
        cards = await self.sim.click(deal.rep, deal.chat, AdvanceStage(opportunity_id=deal.id).pack())
        asked = next((c for c in cards if "同意" in c.buttons), None)
        manager = self.org.people[deal.rep].manager_id
        if asked is not None and manager is not None:
            value = asked.buttons["同意"] if self.rng.random() < .88 else asked.buttons.get("驳回：折扣太大", "")
            self.sim.at(in_work(self.sim.rt.settings, self.sim.now(), H * self.rng.uniform(.2, 4)),
                        lambda: self.sim.click(manager, asked.chat, value))

    async def close(self, deal: Deal, outcome: str) -> None:
        """Pick a close reason on the 赢单 / 输单 list."""
        cfg = self.sim.rt.settings.opportunities
        reasons = cfg.won_reasons if outcome == "won" else cfg.lost_reasons
        reason = self.rng.choice(list(reasons[:-1]) or list(reasons))
        await self.sim.click(deal.rep, deal.chat, CloseOpportunity(opportunity_id=deal.id, outcome=outcome,
                                                                   reason=reason).pack())
        mine = self.open_in.get((deal.rep, deal.chat), [])
        if deal.id in mine:
            mine.remove(deal.id)
        if outcome == "won" and self.rng.random() < .85:
            self.later((14, 35), lambda: self.sim.click(deal.rep, deal.chat,
                                                        AcceptDelivery(opportunity_id=deal.id).pack()))

    async def needs(self, deal: Deal) -> None:
        """需求确认: the minutes, then on to the demo stage (or lost early)."""
        await self.evidence(deal, "会议纪要 " + world.minutes(self.rng, deal.prospect, deal.budget))
        if deal.fate == "lost" and self.rng.random() < .35:
            self.later((2, 10), lambda: self.close(deal, "lost"))
            return
        await self.advance(deal)
        self.later((2, 6), lambda: self.demo(deal))

    async def demo(self, deal: Deal) -> None:
        """方案演示: the demo note and recording, the quote (a big discount asks the manager), then 推进."""
        p = deal.prospect
        await self.sim.say(deal.rep, f"dm:{deal.rep}", f"演示 {p.company} {self.rng.choice(world.DEMOS)}")
        await self.evidence(deal, f"演示视频或链接 https://meeting.example.com/rec/{deal.id}")
        if deal.fate == "lost" and self.rng.random() < .5:
            self.later((3, 12), lambda: self.close(deal, "lost"))
            return
        amount = self.rng.choice((18, 25, 32, 45, 60, 80, 120))
        discount = self.rng.choice((0, 5, 8, 10, 12)) if self.rng.random() < .75 else self.rng.choice((18, 20, 25))
        await self.say_in_deal_chat(deal, f"报价 {amount}万 折扣 {discount}%")
        await self.advance(deal)
        self.later((2, 6), lambda: self.quote(deal))

    async def say_in_deal_chat(self, deal: Deal, text: str) -> None:
        """Say it where the bot knows which deal is meant: the team group when it is the rep's newest deal there,
        else the deal's own room (`开群` binds one)."""
        mine = self.open_in.get((deal.rep, deal.chat), [])
        if not deal.chat.startswith(PLAYGROUND_PREFIX) and mine and mine[-1] != deal.id:
            await self.sim.say(deal.rep, deal.chat, f"开群 {deal.prospect.company}")
            mine.remove(deal.id)
            deal.chat = f"{PLAYGROUND_PREFIX}{deal.id}"
        await self.sim.say(deal.rep, deal.chat, text)

    async def quote(self, deal: Deal) -> None:
        """报价反馈: the quote mail as evidence, then the close (a slow deal is still waiting at the end)."""
        await self.evidence(deal, "报价邮件或截图 已发正式报价邮件，客户确认收到，正在走内部流程")
        if deal.fate != "slow":
            self.later((1, 7), lambda: self.close(deal, deal.fate))
