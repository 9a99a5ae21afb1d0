"""The Context's ports: the one way out for messages (Outbox) and the queue of non-message work (Tasks).

Handlers, jobs and flows queue every outgoing message with `ctx.outbox.send(to, card, key, not_before=…)`
(or `send_many` for a batch in one statement); the row commits with the caller's transaction and the sender
delivers it. When a message must wait (quiet hours, a report's send time), the caller decides `not_before`
before the row is written (sales/pushtime.py). Work that is not a message — a media download, creating or
reading a platform approval, creating a deal room, a workbench update — is queued with `ctx.tasks.add`; the
task worker runs it through the handler the platform registered, and a result comes back into the inbox as
a new Event (`TaskRun.ingest`), never through the sender. Both are keyed: a key queued before is not queued
again. The implementations live in the shell (bot/outbox.py, bot/taskqueue.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from bot.core.cards import Card
    from bot.core.events import ChatRef, Event


class Outgoing(NamedTuple):
    """One message to queue: the arguments of `Outbox.send`."""

    key: str
    to: ChatRef
    card: Card | None
    text: str = ""
    extra: Mapping[str, Any] = {}


class Outbox(Protocol):
    """The one way out: queue messages in the caller's transaction, at most once per key."""

    async def send(self, to: ChatRef, card: Card | None, key: str, text: str = "", *,
                   not_before: datetime | None = None, **extra: Any) -> bool:
        """Queue a card (or text) for `to`; False if the key was queued before. Held until `not_before`."""
        ...

    async def send_many(self, items: Sequence[Outgoing], *, not_before: datetime | None = None) -> set[str]:
        """Queue many messages in one statement; return the keys that were new."""
        ...


class NewTask(NamedTuple):
    """One piece of non-message work to queue: the arguments of `Tasks.add`."""

    kind: str
    platform: str
    key: str
    payload: Mapping[str, Any]


class Tasks(Protocol):
    """The queue of non-message work, in the caller's transaction, at most once per key."""

    def runs(self, kind: str, platform: str) -> bool:
        """Whether a handler for `kind` on `platform` is registered here (the platform can do this work)."""
        ...

    def platforms(self, kind: str) -> list[str]:
        """The platforms with a handler for `kind`."""
        ...

    async def add(self, kind: str, platform: str, key: str, payload: Mapping[str, Any], *,
                  not_before: datetime | None = None) -> bool:
        """Queue one task; False if the key was queued before."""
        ...

    async def add_many(self, items: Sequence[NewTask]) -> set[str]:
        """Queue many tasks in one statement; return the keys that were new."""
        ...


@dataclass(frozen=True)
class TaskRun:
    """What a task handler gets: the task, the clock, and the two ways a result may leave it.

    `send` queues a message through the one outbox (its own transaction; the sender is woken); `ingest`
    stores a result as a new inbox Event (a new fact the handlers take up), e.g. kind "approval".
    """

    key: str
    kind: str
    platform: str
    payload: dict[str, Any]
    attempt: int
    now: Callable[[], datetime]
    send: Callable[[ChatRef, Card | None, str], Awaitable[bool]]
    ingest: Callable[[Event], Awaitable[object]]


TaskHandler = Callable[[TaskRun], Awaitable[None]]
