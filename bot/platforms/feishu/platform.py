"""Feishu (飞书) as one Platform: its routes, API, renderer and the lifespan of its clients.

`lifespan` fetches the bot's open_id in the background (so the first group message need not wait),
subscribes to the approval definition's events when quote approvals run in Feishu, holds the long
connection in ws mode (only on the replica holding the app's lease), and stops them all and closes the
API's HTTP session at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.stopping import cancel_and_wait
from bot.platforms.base import Platform, Skins
from bot.platforms.connections import HeldClient
from bot.platforms.feishu import routes
from bot.platforms.feishu.api import FeishuAPI
from bot.platforms.feishu.extras.approvals import FeishuApprovals
from bot.platforms.feishu.extras.preview import preview_html
from bot.platforms.feishu.extras.sync import cli_sync
from bot.platforms.feishu.extras.ws import LongConnection
from bot.platforms.feishu.render import FeishuRenderer
from bot.platforms.tokens import SharedTokens

if TYPE_CHECKING:
    from bot.runtime import Runtime


def build_renderer(settings: Settings, clock: Clock, skins: Skins) -> FeishuRenderer:
    """Feishu's renderer (it shows no other platform)."""
    return FeishuRenderer(settings, clock)


def build_api(rt: Runtime, renderer: FeishuRenderer) -> FeishuAPI:
    """Create the open-platform client, with approvals wired to the database and the replicas' token store."""
    api = FeishuAPI(rt.settings.feishu, wall=lambda: rt.clock.now().timestamp(), renderer=renderer)
    api.approvals = FeishuApprovals(api, rt.db, rt.clock, renderer)
    api.db, api.clock = rt.db, rt.clock  # evidence downloads record the stored file
    api.tokens = SharedTokens(rt.db, lambda: rt.clock.now().timestamp())  # one refresher across replicas
    return api


def approvals_enabled(settings: Settings) -> bool:
    """Quote approvals go through Feishu approval v4 when Feishu is on and feishu.approval_code is set."""
    return settings.feishu.enabled and bool(settings.feishu.approval_code.strip())


def long_connection(rt: Runtime) -> HeldClient[LongConnection]:
    """The long connection under the app's lease: only the replica holding it connects."""
    def open_connection() -> LongConnection:
        connection = LongConnection(rt)
        connection.start()
        return connection

    return HeldClient(rt.db, rt.clock, rt.connections, f"feishu-ws:{rt.settings.feishu.app_id}",
                      rt.settings.connections.lease_seconds, open_connection)


def _background(api: FeishuAPI | None, settings: Settings) -> list[asyncio.Task]:
    """Warm the bot's open_id and subscribe to approval events (idempotent, every start)."""
    if api is None:
        return []
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(api.bot_open_id(), name="feishu-bot-id")]
    if approvals_enabled(settings) and api.approvals is not None:
        api.approvals.task = loop.create_task(api.approvals.subscribe_at_start(), name="feishu-approval-subscribe")
        tasks.append(api.approvals.task)
    return tasks


@contextlib.asynccontextmanager
async def lifespan(rt: Runtime) -> AsyncIterator[HeldClient[LongConnection] | None]:
    """Run the background start-up calls and (ws mode) the long connection; stop them and close the API after."""
    api = rt.apis.get("feishu")
    tasks = _background(api, rt.settings)
    try:
        if rt.settings.feishu.mode == "ws":
            async with long_connection(rt).running() as held:
                yield held
        else:
            yield None
    finally:
        await cancel_and_wait(tasks)
        if api is not None:
            await api.close()


PLATFORM = Platform(
    name="feishu", enabled=lambda settings: settings.feishu.enabled, routes=routes.setup,
    renderer=build_renderer, api=build_api, lifespan=lifespan, preview=preview_html,
    approvals=approvals_enabled, sync=cli_sync)
