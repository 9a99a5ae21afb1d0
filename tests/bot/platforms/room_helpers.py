"""Shared steps of the deal-room tests (one test module per platform, next to its fakes' fixtures)."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from bot.core.events import ChatRef, Event
from bot.runtime import Runtime
from storage.models import Opportunity
from storage.repos import members
from tests.helpers import add_member, run_queues

_ids = itertools.count(1)


async def team(rt: Runtime, platform: str, rep_id: str, boss_id: str) -> tuple[int, int]:
    """A rep and the team's manager, both linked to the platform."""
    rep, boss = await add_member(rt, "李娜"), await add_member(rt, "周主管", role="manager")
    async with rt.db.session() as s:
        await members.link_identity(s, rep, platform, rep_id)
        await members.link_identity(s, boss, platform, boss_id)
    return rep, boss


async def say(rt: Runtime, platform: str, actor: str, chat: ChatRef, text: str) -> None:
    """A message as the platform's adapter would ingest it, then every handler and send finished."""
    await rt.dispatcher.ingest(Event(platform, "message", f"m{next(_ids)}", actor, chat, text))
    await run_queues(rt)


async def opportunity(rt: Runtime) -> Opportunity:
    """The one opportunity."""
    async with rt.db.sessions() as s:
        return (await s.execute(select(Opportunity))).scalar_one()
