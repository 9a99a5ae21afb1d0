"""The Context handed to every handler and job: clock, session, member, and the ports to the outside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.events import Event, Reply
    from bot.core.ports import Outbox, Tasks
    from bot.core.routing import Command
    from storage.models import Member


@dataclass
class Context:
    """Per-event (or per-job) state; writes through `session` commit together with the outbox and task rows.

    `outbox` is the one way out for messages (`ctx.outbox.send(to, card, key, not_before=…)`); `tasks`
    queues non-message work (media downloads, platform approvals, deal rooms) for the task worker.
    """

    settings: Settings
    session: AsyncSession
    clock_now: Callable[[], datetime]
    outbox: Outbox
    tasks: Tasks
    member: Member | None = None
    event: Event | None = None
    help_commands: list[Command] = field(default_factory=list)
    reply_keys: list[str] = field(default_factory=list)
    _sent: int = 0

    def now(self) -> datetime:
        """Return the injected current time."""
        return self.clock_now()

    async def reply(self, reply: Reply, error: bool = False) -> bool:
        """Send a handler's Reply to the event's chat, keyed by the event so replays send nothing new.

        `error` marks the error funnel's apology, keyed apart from any reply the failed attempt had queued.
        """
        to = reply.to or (self.event.chat if self.event else None)
        if self.event is None or to is None:
            return False
        self._sent += 1
        key = f"reply:{self.event.platform}:{self.event.dedupe_key}:{'error' if error else self._sent}"
        queued = await self.outbox.send(to, reply.card, key, reply.text, update=reply.update, toast=reply.toast)
        if queued and reply.to is None:
            self.reply_keys.append(key)
        return queued
