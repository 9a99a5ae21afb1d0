"""The Runtime: one object holding the settings, database, clock and every long-lived service."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import platforms
from bot.clock import Clock, OffsetClock
from bot.config import Settings
from bot.connections import Board
from bot.context import Context
from bot.dispatch import Dispatcher, resolve_member
from bot.events import ChatRef, Event
from bot.metrics import Metrics
from bot.routing import RouteTable
from bot.sender import Sender
from cards.model import Card
from handlers import ROUTERS
from storage.db import Database
from storage.repos import card_views, outbox
from storage.repos.inbox import InboxWriter
from storage.repos.member_cache import MemberCache

log = logging.getLogger("salesbot")


class Runtime:
    """Wires the event path together; the web app, CLI and tests all build one."""

    def __init__(self, settings: Settings, clock: Clock | None = None, db: Database | None = None,
                 apis: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.clock = clock or OffsetClock()
        self.db = db or Database(settings.database.url, settings.database.echo)
        self.metrics = Metrics()
        self._queued: set[str] = set()  # platforms given outbox rows since the sender was last nudged
        self.inbox = InboxWriter(self.db, self.clock)
        self.members = MemberCache()
        self.routes = RouteTable(ROUTERS, self.feature_on)
        platforms.configure_renderers(settings, self.clock)  # playground previews sign links too
        self.apis = apis if apis is not None else platforms.build_apis(self)
        self.sender = Sender(self.db, self.clock, self.apis, settings.outbox, self.metrics)
        self.dispatcher = Dispatcher(self)
        self.sender.yield_to_acks = self.dispatcher.pool.yield_to_acks  # no new sender transaction mid-ack
        self.scheduler = None  # set by scheduler.core.attach when serving
        self.connections = Board(self.clock)  # long connections' states for /readyz (bot/connections.py)

    def feature_on(self, feature: str | None) -> bool:
        """Return whether a feature switch is on (None means always on)."""
        return feature is None or bool(getattr(self.settings.features, feature, False))

    def sender_wake(self) -> None:
        """Nudge the sender after new outbox rows commit: the lanes of the platforms queued to since the last
        nudge (each wake of a lane is a claim), or every lane when the rows came another way."""
        queued, self._queued = self._queued, set()
        self.sender.wake(queued or None)

    async def context(self, session: AsyncSession, event: Event | None = None) -> Context:
        """Build the handler/job context for a session."""
        member = await resolve_member(session, event, self.members) if event else None
        return Context(settings=self.settings, session=session, clock_now=self.clock.now, enqueue=self.enqueue,
                       dialect=self.db.dialect, member=member, event=event,
                       help_commands=self.routes.help_commands(),
                       approvals=lambda p: platforms.runs_approvals(self.settings, p), enqueue_raw=self.enqueue_raw,
                       enqueue_many=self.enqueue_many)

    async def enqueue(self, session: AsyncSession, key: str, to: ChatRef, card: Card | None, text: str,
                      extra: dict[str, Any]) -> bool:
        """Render for the target platform and queue in the caller's transaction."""
        payload = platforms.render(to, card, text, {**extra, "idempotency_key": key})
        self._queued.add(to.platform)
        await card_views.save(session, self.db.dialect, payload.pop("views", {}), self.clock.now())
        return await outbox.enqueue(session, self.db.dialect, key, to.platform, to.chat_id, payload,
                                    self.clock.now())

    async def enqueue_many(self, session: AsyncSession,
                           items: list[tuple[str, ChatRef, Card | None, str, dict[str, Any]]]) -> set[str]:
        """Render each (key, to, card, text, extra) like `enqueue`, queue all in one statement; return new keys."""
        rows = [(key, to.platform, to.chat_id, platforms.render(to, card, text, {**extra, "idempotency_key": key}))
                for key, to, card, text, extra in items]
        self._queued.update(platform for _, platform, _, _ in rows)
        views = {d: c for *_, payload in rows for d, c in payload.pop("views", {}).items()}
        await card_views.save(session, self.db.dialect, views, self.clock.now())
        return await outbox.enqueue_many(session, self.db.dialect, rows, self.clock.now())

    async def enqueue_raw(self, session: AsyncSession, key: str, platform: str, target: str, payload: dict) -> bool:
        """Queue an already-built platform payload (approval requests and the like) in the caller's transaction."""
        self._queued.add(platform)
        return await outbox.enqueue(session, self.db.dialect, key, platform, target, payload, self.clock.now())

    async def start(self, serve_sender: bool = True) -> None:
        """Start background services and replay what a crash left unfinished."""
        self.inbox.start()
        await self.dispatcher.replay_unfinished()
        if serve_sender:
            self.sender.start()
        if serve_sender:
            await platforms.start_adapters(self)

    async def stop(self) -> None:
        """Drain handlers, stop services, close the database."""
        await platforms.stop_adapters(self)  # no new events while draining
        await self.dispatcher.stop()
        await self.sender.stop()
        await self.inbox.stop()
        await self.db.close()
