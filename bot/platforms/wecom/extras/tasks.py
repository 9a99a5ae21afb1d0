"""WeCom's task handlers: evidence downloads (media/get), deal rooms (appchat), workbench numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.ports import TaskRun
from bot.platforms.tasks import TaskSpec, fetch_media
from bot.platforms.wecom.extras import rooms
from storage.repos import workbench

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platforms.wecom.api import WecomAPI


def handlers(api: WecomAPI, settings: Settings) -> dict[str, TaskSpec]:
    """What WeCom does besides sending messages."""
    async def create_room(task: TaskRun) -> None:
        await rooms.create(api, task.payload)

    async def set_workbench(task: TaskRun) -> None:
        member, chain = task.payload.get("member_id"), str(task.payload.get("chain") or "")
        if member is not None and api.db is not None and not await workbench.is_latest(api.db, int(member), chain):
            return  # a newer update of this member's numbers was queued after this one: it alone counts
        await api.set_workbench(task.payload["userid"], task.payload["items"])

    return {"fetch_media": fetch_media(api.db, api.fetch_media), "create_room": TaskSpec(create_room),
            "set_workbench": TaskSpec(set_workbench)}
