"""The Tasks port (bot/core/ports.py) over the caller's session: queue non-message work for the task worker."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import NewTask
from bot.platforms.tasks import TaskRegistry
from storage.repos import task_queue

_T = TypeVar("_T", bool, set[str])


class SessionTasks:
    """Queue tasks in the caller's transaction, at most once per key; knows which handlers run here."""

    def __init__(self, session: AsyncSession, now: Callable[[], datetime], registry: TaskRegistry,
                 queued: Callable[[], None] = lambda: None) -> None:
        self.session, self.now, self.registry = session, now, registry
        self.queued = queued  # told when a new task was queued, so the task worker is woken after the commit

    def runs(self, kind: str, platform: str) -> bool:
        """Whether `platform` does `kind` here (a handler is registered and the configuration asks for it)."""
        return self.registry.runs(kind, platform)

    def platforms(self, kind: str) -> list[str]:
        """The platforms that do `kind` here, sorted."""
        return self.registry.platforms(kind)

    async def add(self, kind: str, platform: str, key: str, payload: Mapping[str, Any], *,
                  not_before: datetime | None = None) -> bool:
        """Queue one task, due at `not_before` (or now); False if the key was queued before."""
        rows = [(kind, platform, key, dict(payload))]
        return self._told(bool(await task_queue.add_many(self.session, rows, self.now(), not_before)))

    async def add_many(self, items: Sequence[NewTask]) -> set[str]:
        """Queue many tasks in one statement; return the keys that were new."""
        rows = [(t.kind, t.platform, t.key, dict(t.payload)) for t in items]
        return self._told(await task_queue.add_many(self.session, rows, self.now()))

    def _told(self, new: _T) -> _T:
        if new:
            self.queued()
        return new
