"""Small helpers for tests: seed members, post playground messages, read what the bot sent."""

from __future__ import annotations

import itertools

from bot.runtime import Runtime
from storage.repos import members, outbox

_ids = itertools.count(1)


async def add_member(rt: Runtime, name: str, role: str = "rep", team: str = "华东大客户部") -> int:
    """Create a member (with its playground identity) and return its id."""
    async with rt.db.session() as s:
        await members.upsert(s, name, {"role": role}, team, {})
        return (await members.by_name(s, name)).id


def message(member_id: int, text: str, chat_id: str = "group:1", skin: str = "wecom",
            client_id: str | None = None) -> dict:
    """A playground message body."""
    return {"member_id": member_id, "chat_id": chat_id, "skin": skin, "text": text,
            "client_id": client_id or f"c{next(_ids)}"}


async def sent_cards(rt: Runtime, chat_id: str = "group:1") -> list[dict]:
    """Deliver what is queued, then return the payloads sent to a chat, oldest first."""
    await rt.dispatcher.drain()
    while await rt.sender.run_once():
        pass
    rows = await outbox.recent(rt.db, "playground", target=chat_id, status="sent", limit=500)
    return [r.payload for r in rows]
