"""The Runtime: one object holding the settings, database, clock and every long-lived service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import leadflow
from bot.config import Settings
from bot.core.cards import Card
from bot.core.clock import Clock, OffsetClock
from bot.core.context import Context
from bot.core.events import ChatRef, Event
from bot.core.routing import RouteTable
from bot.dispatch import Dispatcher, resolve_member
from bot.metrics import Metrics
from bot.platforms import registry
from bot.platforms.connections import Board
from bot.sender import Sender
from handlers import ROUTERS
from storage.db import Database
from storage.repos import card_views, outbox
from storage.repos.inbox import InboxWriter
from storage.repos.member_cache import MemberCache

if TYPE_CHECKING:
    from scheduler.core import Scheduler

log = logging.getLogger("salesbot")


class Runtime:
    """Wires the event path together; the web app, CLI and tests all build one."""

    def __init__(self, settings: Settings, clock: Clock | None = None, db: Database | None = None,
                 apis: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.clock = clock or OffsetClock()
        self.db = db or Database(settings.database.url, settings.database.echo)
        self.metrics = Metrics()
        self.inbox = InboxWriter(self.db, self.clock)
        self.members = MemberCache()
        self.routes = RouteTable(ROUTERS, self.feature_on)
        self.renderers = registry.Renderers(settings, self.clock)  # every platform's: playground previews sign links
        self.apis: dict[str, Any] = apis if apis is not None else registry.build_apis(self, self.renderers)
        self.sender = Sender(self.db, self.clock, self.apis, settings.outbox, self.metrics)
        self.dispatcher = Dispatcher(self)
        self.scheduler: Scheduler | None = None  # set by bot/serve.py while serving
        self.connections = Board(self.clock)  # long connections' states for /readyz (bot/platforms/connections.py)

    def feature_on(self, feature: str | None) -> bool:
        """Return whether a feature switch is on (None means always on)."""
        return feature is None or bool(getattr(self.settings.features, feature, False))

    def sender_wake(self) -> None:
        """Nudge the sender after new outbox rows commit."""
        self.sender.wake()

    async def context(self, session: AsyncSession, event: Event | None = None) -> Context:
        """Build the handler/job context for a session."""
        member = await resolve_member(session, event, self.members) if event else None
        return Context(settings=self.settings, session=session, clock_now=self.clock.now, enqueue=self.enqueue,
                       dialect=self.db.dialect, member=member, event=event,
                       help_commands=self.routes.help_commands(),
                       approvals=lambda p: registry.runs_approvals(self.settings, p), enqueue_raw=self.enqueue_raw,
                       enqueue_many=self.enqueue_many)

    async def enqueue(self, session: AsyncSession, key: str, to: ChatRef, card: Card | None, text: str,
                      extra: dict[str, Any]) -> bool:
        """Render for the target platform and queue in the caller's transaction."""
        payload = self.renderers.render(to, card, text, {**extra, "idempotency_key": key})
        await card_views.save(session, self.db.dialect, payload.pop("views", {}), self.clock.now())
        return await outbox.enqueue(session, self.db.dialect, key, to.platform, to.chat_id, payload,
                                    self.clock.now())

    async def enqueue_many(self, session: AsyncSession,
                           items: list[tuple[str, ChatRef, Card | None, str, dict[str, Any]]]) -> set[str]:
        """Render each (key, to, card, text, extra) like `enqueue`, queue all in one statement; return new keys."""
        render = self.renderers.render
        rows = [(key, to.platform, to.chat_id, render(to, card, text, {**extra, "idempotency_key": key}))
                for key, to, card, text, extra in items]
        views = {d: c for *_, payload in rows for d, c in payload.pop("views", {}).items()}
        await card_views.save(session, self.db.dialect, views, self.clock.now())
        return await outbox.enqueue_many(session, self.db.dialect, rows, self.clock.now())

    async def enqueue_raw(self, session: AsyncSession, key: str, platform: str, target: str, payload: dict) -> bool:
        """Queue an already-built platform payload (approval requests and the like) in the caller's transaction."""
        return await outbox.enqueue(session, self.db.dialect, key, platform, target, payload, self.clock.now())

    async def receive_lead(self, channel: str, body: bytes, content_type: str) -> leadflow.IntakeResult:
        """Run the lead flow for one intake body in its own transaction (the intake platform's routes call it)."""
        return await leadflow.transact(self, lambda ctx: leadflow.receive(ctx, channel, body, content_type))

    async def start(self, serve_sender: bool = True) -> None:
        """Start background services and replay what a crash left unfinished (platform clients: bot/serve.py)."""
        self.inbox.start()
        await self.dispatcher.replay_unfinished()
        if serve_sender:
            self.sender.start()

    async def stop(self) -> None:
        """Drain handlers, stop services, close the database (stop the platforms' clients first: bot/serve.py)."""
        await self.dispatcher.stop()
        await self.sender.stop()
        await self.inbox.stop()
        await self.db.close()
