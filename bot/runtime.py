"""The Runtime: one object holding the settings, database, clock and every long-lived service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ackgate import AckGate
from bot.config import Settings
from bot.core.cards import Card
from bot.core.clock import Clock, OffsetClock
from bot.core.context import Context
from bot.core.events import ChatRef, Event
from bot.core.lead_submitted import LeadSubmitted
from bot.core.routing import RouteTable
from bot.dispatch import Dispatcher, resolve_member
from bot.metrics import Metrics
from bot.outbox import RenderingOutbox
from bot.platforms import registry
from bot.platforms.connections import Board
from bot.platforms.tasks import TaskRegistry
from bot.sender import Sender
from bot.taskqueue import SessionTasks
from bot.taskworker import TaskWorker
from flows import lead_intake, lead_submission
from flows.lead_io import IntakeResult
from handlers import ROUTERS
from storage.db import Database
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
        self.acks = AckGate()  # callbacks first: workers, the sender and the task worker wait while one is answered
        self.inbox = InboxWriter(self.db, self.clock)
        self.members = MemberCache()
        self.routes = RouteTable(ROUTERS, self.feature_on)
        self.renderers = registry.Renderers(settings, self.clock)  # every platform's: playground previews sign links
        # one client per platform, each with its own methods: callers know which platform they hold
        self.apis: dict[str, Any] = apis if apis is not None else registry.build_apis(self, self.renderers)
        self.sender = Sender(self.db, self.clock, self.apis, settings.outbox, self.metrics, gate=self.acks)
        self.dispatcher = Dispatcher(self)
        self.tasks = TaskRegistry(self.apis, settings)
        self.worker = TaskWorker(self.db, self.clock, self.tasks.specs, settings.outbox, self.metrics, self.post,
                                 self.dispatcher.ingest, gate=self.acks)
        self._tasks_queued = False  # a handler queued a task since the task worker was last woken
        self._sends_queued: set[str] = set()  # platforms with outbox rows queued since the sender was last woken
        self.scheduler: Scheduler | None = None  # set by bot/serve.py when serving
        self.connections = Board(self.clock)  # long connections' states for /readyz (bot/platforms/connections.py)

    def feature_on(self, feature: str | None) -> bool:
        """Return whether a feature switch is on (None means always on)."""
        return feature is None or bool(getattr(self.settings.features, feature, False))

    def sender_wake(self) -> None:
        """Nudge the lanes of the platforms that got outbox rows since the last nudge, after they commit, and the
        task worker when a task was queued (otherwise each finds its rows at its next poll). A lane with nothing
        queued is left asleep: on SQLite its look for due rows would cost a statement per handled event."""
        if self._sends_queued:
            self.sender.wake(self._sends_queued)
            self._sends_queued = set()
        if self._tasks_queued:  # a claim on an empty task queue is a write transaction on SQLite: only when due
            self._tasks_queued = False
            self.worker.wake()

    def _task_queued(self) -> None:
        self._tasks_queued = True

    def _send_queued(self, platform: str) -> None:
        self._sends_queued.add(platform)

    async def context(self, session: AsyncSession, event: Event | None = None) -> Context:
        """Build the handler/job context for a session, with its outbox and task queue in that session."""
        member = await resolve_member(session, event, self.members) if event else None
        return Context(settings=self.settings, session=session, clock_now=self.clock.now,
                       outbox=RenderingOutbox(session, self.clock.now, self.renderers.render, self._send_queued),
                       tasks=SessionTasks(session, self.clock.now, self.tasks, self._task_queued),
                       member=member, event=event, help_commands=self.routes.help_commands())

    async def check_lead(self, channel: str, body: bytes, content_type: str) -> LeadSubmitted:
        """Check an intake body into a typed submission; raise IntakeInvalid when it cannot be a lead."""
        async with self.db.session() as session:
            return await lead_intake.check(await self.context(session), channel, body, content_type)

    async def submit_lead(self, sub: LeadSubmitted) -> tuple[IntakeResult | None, bool]:
        """Send the lead event down the event path, wait (bounded) for its handler, and read the answer back.

        Returns the answer (None when there is none yet) and whether this process handled the event in time.
        """
        stored, handled = await self.dispatcher.ingest_and_handle(lead_submission.event_of(sub),
                                                                  self.settings.intake.answer_timeout)
        async with self.db.session() as session:
            return await lead_submission.answer(await self.context(session), sub, repeat=not stored.new), handled

    async def post(self, to: ChatRef, card: Card | None, key: str) -> bool:
        """Queue one message in its own transaction through the one outbox and wake the sender (task handlers)."""
        async with self.db.session() as session:
            out = RenderingOutbox(session, self.clock.now, self.renderers.render, self._send_queued)
            queued = await out.send(to, card, key)
        self.sender_wake()
        return queued


    async def start(self, serve_sender: bool = True) -> None:
        """Start background services and replay what a crash left unfinished (platform clients: bot/serve.py)."""
        self.inbox.start()
        await self.dispatcher.replay_unfinished()
        if serve_sender:
            self.sender.start()
            self.worker.start()

    async def stop(self) -> None:
        """Drain handlers, stop services, close the database (stop the platforms' clients first: bot/serve.py)."""
        await self.worker.stop()  # a task finishing now may ingest a result: the dispatcher drains it next
        await self.dispatcher.stop()
        await self.sender.stop()
        await self.inbox.stop()
        await self.db.close()
