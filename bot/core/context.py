"""The Context handed to every handler and job: clock, session, member, and a way to send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.cards import Card
    from bot.core.events import ChatRef, Event, Reply
    from storage.models import Member

Enqueue = Callable[[AsyncSession, str, "ChatRef", "Card | None", str, dict[str, Any]], Awaitable[bool]]


@dataclass
class Context:
    """Per-event (or per-job) state; writes through `session` commit together with the outbox rows."""

    settings: Settings
    session: AsyncSession
    clock_now: Callable[[], datetime]
    enqueue: Enqueue
    dialect: str
    approvals: Callable[[str], bool] = lambda _platform: False
    enqueue_raw: Callable[..., Awaitable[bool]] | None = None
    enqueue_many: Callable[..., Awaitable[set[str]]] | None = None
    member: Member | None = None
    event: Event | None = None
    help_commands: list = field(default_factory=list)
    reply_keys: list[str] = field(default_factory=list)
    _sent: int = 0

    async def request_platform_approval(self, platform: str, approval_id: int, form: dict[str, Any]) -> bool:
        """Queue a quote approval for the platform's own approval app; False if it has none (use the card).

        The outbox row (kind "approval_create") is delivered by that platform's API client, which creates the
        instance idempotently and links it with storage.repos.approvals.attach_instance; the platform's
        result event comes back as an Event(kind="approval", raw={"approval_id", "result", "remark"}).
        """
        if not self.approvals(platform):
            return False
        payload = {"kind": "approval_create", "approval_id": approval_id, "form": form}
        return await self.enqueue_raw(self.session, f"approval_create:{approval_id}", platform, "approval", payload)

    def now(self) -> datetime:
        """Return the injected current time."""
        return self.clock_now()

    async def send(self, to: ChatRef, card: Card | None, key: str, text: str = "",
                   **extra: Any) -> bool:
        """Queue a card for `to` under an idempotency key; False if that key was sent before."""
        return await self.enqueue(self.session, key, to, card, text, extra)

    async def send_many(self, items: Sequence[tuple[str, ChatRef, Card | None, str, dict[str, Any]]]) -> set[str]:
        """Queue many (key, to, card, text, extra) in one statement (scans, batches); return the keys new now."""
        if not items:
            return set()
        if self.enqueue_many is None:  # built without a Runtime: one statement per card, same keys, same result
            return {k for k, to, card, text, extra in items if await self.send(to, card, k, text, **extra)}
        return await self.enqueue_many(self.session, list(items))

    async def reply(self, reply: Reply) -> bool:
        """Send a handler's Reply to the event's chat, keyed by the event so replays send nothing new."""
        if self.event is None or (reply.to or self.event.chat) is None:
            return False
        self._sent += 1
        key = f"reply:{self.event.platform}:{self.event.dedupe_key}:{self._sent}"
        extra = {"update": reply.update, "toast": reply.toast}
        queued = await self.send(reply.to or self.event.chat, reply.card, key, reply.text, **extra)
        if queued and reply.to is None:
            self.reply_keys.append(key)
        return queued
