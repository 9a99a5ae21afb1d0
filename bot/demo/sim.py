"""The demo's engine: a moved clock, an agenda of timed acts, and the real entry points each act goes through.

Time moves only from one agenda item to the next (nothing happens in between, so nothing is skipped that the
product would have done). Every act enters the product the way a person's or a scheduler's would:

- a lead is posted through the lead flow `POST /intake/{channel}` reaches (`flows.lead_intake.receive`);
- a message or a button click is built by the playground adapter and ingested by the dispatcher;
- a scheduled job fires through `scheduler.core.run_job` at its moved time.

After each act the new outbox rows are read back and shown to the watchers (bot/demo/people.py), which play
the people receiving them: a rep who gets a lead card accepts it, a manager who gets an approval card decides.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import ManualClock
from bot.platforms.playground import adapter
from bot.runtime import Runtime
from flows import lead_intake
from flows.lead_io import IntakeResult
from sales.intake import IntakeInvalid
from scheduler.core import RunResult, run_job
from storage import demo as store
from storage.repos import lead_admin

Act = Callable[[], Awaitable[object]]
JSON = "application/json"


@dataclass(frozen=True)
class Card:
    """A card the bot sent: to which chat, its title and its buttons (label -> packed action)."""

    chat: str
    title: str
    buttons: dict[str, str]
    lines: tuple[str, ...] = ()

    @classmethod
    def of(cls, chat: str, card: dict | None) -> Card | None:
        """Read a card as the playground's outbox holds it; None when the message carries no card."""
        if not card:
            return None
        return cls(chat, card.get("title", ""), {b["label"]: b["value"] for b in card.get("buttons", [])},
                   tuple(line for s in card.get("sections", []) for line in s.get("items", [])))


class Sim:
    """Runs acts in time order on a manual clock; `say`, `click`, `post` and `job` are the real entry points."""

    def __init__(self, rt: Runtime, clock: ManualClock, rng: random.Random, end: datetime) -> None:
        self.rt, self.clock, self.rng, self.end = rt, clock, rng, end
        self.agenda: list[tuple[datetime, int, Act]] = []
        self.watchers: list[Callable[[Card], Awaitable[None]]] = []
        self.gone: set[int] = set()  # members who left: they say and click nothing any more
        self._seq, self._ids = itertools.count(), itertools.count(1)
        self._cursor = 0
        self._fired: set[tuple[str, datetime]] = set()

    def now(self) -> datetime:
        """The moved clock."""
        return self.clock.now()

    def at(self, when: datetime, act: Act) -> None:
        """Schedule an act (never in the past; acts after the end never happen)."""
        when = max(when, self.now())
        if when <= self.end:
            heapq.heappush(self.agenda, (when, next(self._seq), act))

    async def run(self) -> None:
        """Play the agenda to the end, moving the clock to each act."""
        while self.agenda:
            when, _, act = heapq.heappop(self.agenda)
            self.clock.set(when)
            await act()
        self.clock.set(self.end)

    async def post(self, channel: str, body: dict[str, str]) -> IntakeResult | None:
        """Post a lead as its channel would, through the intake route's flow (the caller looks at the cards);
        a body the channel's field map refuses is archived as a reject, as the route does, and gives None."""
        raw = json.dumps(body, ensure_ascii=False).encode()
        try:
            return await lead_intake.transact(self.rt, lambda ctx: lead_intake.receive(ctx, channel, raw, JSON))
        except IntakeInvalid as exc:
            await lead_admin.add_reject(self.rt.db, channel, JSON, raw, exc.reason, exc.fields, self.now())
            return None

    async def say(self, member: int, chat: str, text: str) -> list[Card]:
        """Type a message as member in a playground chat (@-mentioning the bot in groups); return the answers."""
        if member in self.gone:
            return []
        said = f"@{self.rt.settings.org.bot_name} {text}" if chat.startswith("group:") else text
        data = {"member_id": member, "chat_id": chat, "text": said, "client_id": f"demo-m{next(self._ids)}"}
        return await self._ingest(adapter.message_event(data, self.rt.settings.org.bot_name), chat)

    async def click(self, member: int, chat: str, value: str, text: str = "") -> list[Card]:
        """Click a button (its packed action) as member, with text typed into the card's form; return the answers."""
        if member in self.gone:
            return []
        data = {"member_id": member, "chat_id": chat, "value": value, "text": text,
                "client_id": f"demo-c{next(self._ids)}"}
        return await self._ingest(adapter.click_event(data), chat)

    async def _ingest(self, event, chat: str) -> list[Card]:
        await self.rt.dispatcher.ingest(event)
        await self.rt.dispatcher.drain()
        return [c for c in await self.observe() if c.chat == chat]

    async def job(self, name: str) -> RunResult | None:
        """Fire a scheduled job at the moved time (once per minute, like the scheduler)."""
        minute = self.now().replace(second=0, microsecond=0)
        if (name, minute) in self._fired:
            return None
        self._fired.add((name, minute))
        result = await run_job(self.rt, name, minute)
        await self.observe()
        return result

    async def observe(self) -> list[Card]:
        """Read the cards sent since the last look, show them to the watchers, and return them."""
        cards = []
        for row_id, chat, data in await store.cards_since(self.rt.db, self._cursor):
            self._cursor = max(self._cursor, row_id)
            card = Card.of(chat, data)
            if card is not None:
                cards.append(card)
                for watch in self.watchers:
                    await watch(card)
        return cards
