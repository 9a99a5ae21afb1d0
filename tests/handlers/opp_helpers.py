"""Helpers for the opportunity handler tests: talk and click through the playground, read cards back."""

from __future__ import annotations

import itertools

from bot.core.events import ChatRef, Event
from tests.helpers import message, sent_cards

_clicks = itertools.count(1)
CHAT = "group:1"


class Chat:
    """One playground group: say something or click a button, get the newest card back."""

    def __init__(self, client, rt, chat_id: str = CHAT) -> None:
        self.client, self.rt, self.chat_id = client, rt, chat_id
        self.seen = 0

    async def _new(self) -> list[dict]:
        cards = await sent_cards(self.rt, self.chat_id)
        fresh, self.seen = cards[self.seen:], len(cards)
        return [c["card"] for c in fresh]

    async def say(self, who: int, text: str) -> list[dict]:
        """Send `@销售助手 text` as who; return the cards the bot answered with."""
        resp = await self.client.post("/playground/api/message", json=message(who, f"@销售助手 {text}", self.chat_id))
        assert resp.status == 202, await resp.text()
        return await self._new()

    async def click(self, who: int, value: str) -> list[dict]:
        """Click a button value as who; return the answer cards."""
        resp = await self.client.post("/playground/api/click", json={
            "member_id": who, "chat_id": self.chat_id, "skin": "wecom", "value": value,
            "client_id": f"click{next(_clicks)}"})
        assert resp.status == 202, await resp.text()
        return await self._new()

    async def send_event(self, event: Event) -> list[dict]:
        """Ingest an Event as a platform adapter would."""
        await self.rt.dispatcher.ingest(event)
        return await self._new()

    def attachment(self, who: int, items: list[dict], text: str = "", kind: str = "platform") -> Event:
        """An image/file message per the bot/core/events.py attachments contract."""
        return Event("playground", kind, f"att{next(_clicks)}", str(who), ChatRef("playground", self.chat_id, True,
                                                                                  {"skin": "feishu"}),
                     text, raw={"attachments": items})


def button(card: dict, label: str) -> str:
    """The packed value of the button with this label."""
    return next(b["value"] for b in card["buttons"] if b["label"] == label)


def section(card: dict, title: str) -> dict | None:
    """The section with this title."""
    return next((s for s in card["sections"] if s["title"] == title), None)


def missing(card: dict) -> list[str]:
    """The 推进前还缺 items of an opportunity card ([] when nothing is missing)."""
    s = section(card, "推进前还缺")
    return s["items"] if s else []


def fields(card: dict) -> dict[str, str]:
    """The label → value fields of a card."""
    return {label: value for s in card["sections"] for label, value in s["fields"]}


def next_step(card: dict) -> str:
    """The 下一步 text."""
    return section(card, "下一步")["text"]
