"""Stopping background tasks without swallowing the stopper's own cancellation.

The usual ``task.cancel(); with suppress(CancelledError): await task`` also swallows a cancel aimed at the task
doing the stopping (a shutdown that times out, a test runner's teardown), which then runs on as if nothing had
happened and can hang its own caller. `cancel_and_wait` waits with `asyncio.wait`, which never raises what the
awaited task raised, so a CancelledError that reaches the caller is always the caller's own and propagates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


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
