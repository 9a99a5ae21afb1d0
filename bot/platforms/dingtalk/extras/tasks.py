"""DingTalk's task handlers: evidence downloads, scene-group deal rooms, and OA quote approvals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.ports import TaskRun
from bot.platforms.dingtalk.extras import rooms
from bot.platforms.dingtalk.extras.approvals import OAApprovals
from bot.platforms.dingtalk.platform import approvals_enabled
from bot.platforms.tasks import TaskSpec, fetch_media

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platforms.dingtalk.api import DingTalkAPI


def handlers(api: DingTalkAPI, settings: Settings) -> dict[str, TaskSpec]:
    """What DingTalk does besides sending messages; quotes go to OA only once its form is configured."""
    async def create_room(task: TaskRun) -> None:
        await rooms.create(api, task.payload)

    oa = OAApprovals(api)
    return {"fetch_media": fetch_media(api.db, api.fetch_media), "create_room": TaskSpec(create_room),
            "create_approval": TaskSpec(oa.create, active=approvals_enabled), "read_approval": TaskSpec(oa.read)}
