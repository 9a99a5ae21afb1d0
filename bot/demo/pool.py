"""The pool (公海) in the demo: owners warned by `pool_reclaim` rescue some customers with a follow-up; what goes
to the pool anyway is claimed by a teammate from the `公海` card's 领取 buttons."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.demo import world
from bot.demo.calendar import in_work
from bot.demo.org import Org
from bot.demo.sim import Card, Sim

H = timedelta(hours=1)


class PoolWatch:
    """Plays the owners of warned customers and the teammates who look into the pool."""

    def __init__(self, sim: Sim, org: Org, rng: random.Random) -> None:
        self.sim, self.org, self.rng = sim, org, rng
        sim.watchers.append(self.on_card)

    async def on_card(self, card: Card) -> None:
        """A warning: follow up on some of the customers; a reclaim notice: a teammate goes claiming."""
        if not card.chat.startswith("dm:"):
            return
        owner = int(card.chat[3:])
        if card.title.endswith("快进公海了"):
            for line in card.lines:
                if self.rng.random() < .3:
                    self._later(owner, H * self.rng.uniform(1, 30), self._rescue(line.split("：")[0]))
        elif card.title.endswith("已收回公海") and self.rng.random() < .7:
            mates = self.org.teammates(owner) if owner in self.org.people else []
            if mates:
                self._later(self.rng.choice(mates).id, H * self.rng.uniform(2, 60), self._claim)

    def _later(self, member: int, delay: timedelta, act) -> None:
        spread = H * self.rng.uniform(0, 6)
        self.sim.at(in_work(self.sim.rt.settings, self.sim.now(), delay, spread), lambda: act(member))

    def _rescue(self, customer: str):
        async def act(member: int) -> None:
            await self.sim.say(member, f"dm:{member}", f"跟进 {customer} {self.rng.choice(world.LATER_CALLS)}")
        return act

    async def _claim(self, member: int) -> None:
        """`公海` in the 1:1 chat, then 领取 on one of the listed customers."""
        cards = await self.sim.say(member, f"dm:{member}", "公海")
        listed = next((c for c in cards if c.title.startswith("公海：")), None)
        buttons = [v for label, v in (listed.buttons.items() if listed else ()) if label.startswith("领取")]
        if buttons:
            await self.sim.click(member, f"dm:{member}", self.rng.choice(buttons))
