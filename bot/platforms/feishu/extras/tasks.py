"""Feishu's task handlers: evidence downloads, deal-room chats, and approval v4 instances (100 a minute)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.ports import TaskRun
from bot.platforms import quotas
from bot.platforms.feishu.extras import rooms
from bot.platforms.feishu.platform import approvals_enabled
from bot.platforms.tasks import TaskSpec, fetch_media

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platforms.feishu.api import FeishuAPI


def handlers(api: FeishuAPI, settings: Settings) -> dict[str, TaskSpec]:
    """What Feishu does besides sending messages; quotes go to Feishu approval once a definition is configured."""
    async def create_room(task: TaskRun) -> None:
        await rooms.create(api, task.payload)

    out = {"fetch_media": fetch_media(api.db, api.fetch_media), "create_room": TaskSpec(create_room)}
    if api.approvals is not None:  # built by build_api(rt), with the database
        app = str(getattr(api, "app_key", "") or "app")
        out["create_approval"] = TaskSpec(api.approvals.create, lambda _payload: quotas.feishu_approvals(app),
                                          approvals_enabled)
    return out
