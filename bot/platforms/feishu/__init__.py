"""Feishu (飞书) adapter: event webhook, card callbacks, cards JSON 2.0, approval v4 and the API client."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from bot.platforms.tokens import SharedTokens

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platforms.feishu.api import FeishuAPI
    from bot.runtime import Runtime


def build_api(rt: Runtime) -> FeishuAPI:
    """Create the open-platform client (called when [feishu] is enabled), with approvals wired to the database."""
    from bot.platforms.feishu.api import FeishuAPI
    from bot.platforms.feishu.approvals import FeishuApprovals

    api = FeishuAPI(rt.settings.feishu, wall=lambda: rt.clock.now().timestamp())
    api.approvals = FeishuApprovals(api, rt.db, rt.clock)
    api.db, api.clock = rt.db, rt.clock  # evidence downloads record the stored file
    api.tokens = SharedTokens(rt.db, lambda: rt.clock.now().timestamp())  # one refresher across replicas
    return api


def approvals_enabled(settings: Settings) -> bool:
    """Quote approvals go through Feishu approval v4 when Feishu is on and feishu.approval_code is set."""
    return settings.feishu.enabled and bool(settings.feishu.approval_code.strip())


async def start(rt: Runtime) -> None:
    """Subscribe to the approval definition's events in the background (idempotent, every start)."""
    api = rt.apis.get("feishu")
    approvals = getattr(api, "approvals", None)
    if approvals_enabled(rt.settings) and approvals is not None:
        approvals.task = asyncio.get_running_loop().create_task(approvals.subscribe_at_start(),
                                                                name="feishu-approval-subscribe")


async def stop(rt: Runtime) -> None:
    """Stop a subscription still retrying (the HTTP session is closed with the web app)."""
    task = getattr(getattr(rt.apis.get("feishu"), "approvals", None), "task", None)
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
