"""Task handlers the platforms register: what each platform can do that is not sending a message.

Each platform package has a `tasks.py` with `handlers(api, settings) -> {kind: TaskSpec}`; the task worker
(bot/taskworker.py) runs a queued task through the spec of its (platform, kind). Kinds in use:

- `fetch_media`: download one evidence file and store it (payload: evidence_id, ref, name, media_dir,
  max_bytes; queued by scheduler/media.py under `media_fetch:<evidence id>`).
- `create_approval`: create the quote approval in the platform's approval app (payload: approval_id, form;
  queued by handlers/approvals.py under `approval_create:<approval id>`).
- `read_approval`: read a finished approval instance and ingest its decision as Event(kind="approval")
  (DingTalk; key `dingtalk:approval_result:<instance id>`).
- `create_room`: create a deal room and post the deal's card in it (handlers/deal_rooms.py, `room:<p>:<opp>`).
- `set_workbench`: a member's WeCom workbench numbers (scheduler/workbench.py, `workbench:<member>:<hash>`).

A handler raises TransientDeliveryError to be retried with backoff, DeliveryError to be dead-lettered,
Throttled to wait without counting an attempt — the sender's rules.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.core.ports import TaskHandler, TaskRun
from storage import media_store
from storage.repos import media as media_repo
from storage.repos.send_slots import Limit

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.db import Database

PLATFORMS = ("wecom", "dingtalk", "feishu")  # the packages that have a tasks.py
Pair = tuple[str, str]  # (platform, kind)
Fetch = Callable[[str, int], Awaitable[bytes]]


@dataclass(frozen=True)
class TaskSpec:
    """How to run one kind of task on one platform, the rate caps each run counts against, and whether the
    configuration asks for it now (`active`; a platform approval app is used only once it is configured)."""

    run: TaskHandler
    limits: Callable[[dict[str, Any]], list[Limit]] | None = None
    active: Callable[[Settings], bool] | None = None


class TaskRegistry:
    """The task handlers of every platform that has an API client here (the enabled platforms)."""

    def __init__(self, apis: Mapping[str, Any], settings: Settings) -> None:
        self.settings = settings
        self.specs: dict[Pair, TaskSpec] = {}
        for name in PLATFORMS:
            if name in apis:
                module = importlib.import_module(f"bot.platforms.{name}.extras.tasks")
                self.specs.update({(name, kind): spec for kind, spec in module.handlers(apis[name], settings).items()})

    def runs(self, kind: str, platform: str) -> bool:
        """Whether `platform` does `kind` here, as the configuration stands now."""
        spec = self.specs.get((platform, kind))
        return spec is not None and (spec.active is None or spec.active(self.settings))

    def platforms(self, kind: str) -> list[str]:
        """The platforms that do `kind` here now, sorted."""
        return sorted(p for p, k in self.specs if k == kind and self.runs(kind, p))


def fetch_media(db: Database | None, fetch: Fetch) -> TaskSpec:
    """The `fetch_media` spec of a platform whose API downloads with `fetch(ref, max_bytes)`."""
    async def run(task: TaskRun) -> None:
        await fetch_into(db, task.payload, fetch, task.now)
    return TaskSpec(run)


async def fetch_into(db: Database | None, payload: dict[str, Any], fetch: Fetch, now: Callable[[], datetime]) -> None:
    """Download one evidence file with the platform's `fetch` and store it; a permanent failure is recorded."""
    if db is None:
        raise DeliveryError("fetch_media needs the database; build the API with the runtime's db")
    evidence_id = int(payload["evidence_id"])
    try:
        data = await fetch(payload["ref"], int(payload["max_bytes"]))
    except TransientDeliveryError:
        raise  # still "queued": the worker retries, and the media_fetch job records it if it never works
    except DeliveryError as exc:
        await media_repo.mark_failed(db, evidence_id, str(exc), now())
        raise
    try:
        path, digest = await media_store.save(payload["media_dir"], data, payload.get("name") or "")
    except OSError as exc:  # retried by the worker; dead-lettered (and marked failed) if it never works
        raise TransientDeliveryError(f"cannot write into [storage] media_dir {payload['media_dir']!r}: "
                                     f"{exc.strerror or exc}; make the folder writable") from exc
    await media_repo.mark_stored(db, evidence_id, path, digest, len(data), now())
