"""Stopping background tasks, and waiting with a timeout, without swallowing a cancellation.

The usual ``task.cancel(); with suppress(CancelledError): await task`` also swallows a cancel aimed at the task
doing the stopping (a shutdown that times out, a test runner's teardown), which then runs on as if nothing had
happened and can hang its own caller. `cancel_and_wait` waits with `asyncio.wait`, which never raises what the
awaited task raised, so a CancelledError that reaches the caller is always the caller's own and propagates.

Python 3.11's `asyncio.wait_for` returns the awaited result when its caller is cancelled in the same loop step as
that result arrives (cpython gh-86296, fixed in 3.12), so a loop stopped by cancel runs on and its stopper waits
forever: the Feishu long connection did, when a pong met the cancel. `within` times out with `asyncio.timeout`,
which counts cancels and lets the caller's through.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any] | None], timeout: float | None = None) -> None:
    """Cancel the tasks and wait up to `timeout` for them to end; log what they raised besides the cancel."""
    live = {task for task in tasks if task is not None}
    for task in live:
        task.cancel()
    if not live:
        return
    done, stuck = await asyncio.wait(live, timeout=timeout)
    for task in done:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("background task %s ended with %r while stopping", task.get_name(), exc)
    for task in stuck:
        log.warning("background task %s did not stop within %s s", task.get_name(), timeout)


async def within(aw: Awaitable[T], seconds: float) -> T:
    """Await `aw` for at most `seconds` (TimeoutError after), never swallowing a cancel of the caller."""
    async with asyncio.timeout(seconds):
        return await aw
