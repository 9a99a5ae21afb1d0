"""The job registry: every scheduled job is a named JobSpec, registered with the @job decorator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.core.context import Context

JobFunc = Callable[["Context", datetime], Awaitable[str | None]]


@dataclass(frozen=True)
class JobSpec:
    """A named job, its coroutine, and the ScheduleConfig key that says when it fires.

    `schedule` names a `[schedule]` setting: "HH:MM" (daily), "ddd HH:MM" (weekly)
    or a whole number of minutes (an interval).
    """

    name: str
    func: JobFunc
    schedule: str
    doc: str = ""


REGISTRY: dict[str, JobSpec] = {}


def job(name: str, schedule: str) -> Callable[[JobFunc], JobFunc]:
    """Register the decorated coroutine as the job `name`, fired per the `schedule` setting."""
    def register(func: JobFunc) -> JobFunc:
        doc = (func.__doc__ or "").strip().splitlines()
        REGISTRY[name] = JobSpec(name, func, schedule, doc[0] if doc else "")
        return func

    return register


def names() -> list[str]:
    """Return the registered job names in registration order."""
    return list(REGISTRY)


def lookup(name: str) -> JobSpec:
    """Return the job called `name`; raise UserError listing the known names when there is none."""
    spec = REGISTRY.get(name)
    if spec is None:
        raise UserError(f"没有叫 {name!r} 的定时任务 (unknown job). Known jobs: {', '.join(names())}")
    return spec
