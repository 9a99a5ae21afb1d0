"""The ack gate: while a platform callback is being answered, the inbox workers start no new event.

On one event loop an ack waits behind whatever handler steps are queued before it. bot/web/acks.py brackets
every POST with `acking()`; a worker `wait()`s before it starts an event, at most ACK_HOLD, so a
never-ending stream of acks still leaves room for handling.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

ACK_HOLD = 0.02  # seconds a worker waits for in-flight acks before starting its next event anyway


class AckGate:
    """Counts the callbacks being answered right now; open when there are none."""

    def __init__(self) -> None:
        self._acking = 0
        self._done = asyncio.Event()
        self._done.set()

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        """Bracket answering a callback: workers start no new event meanwhile, so acks never queue behind
        handler CPU on the event loop (a handler already running finishes; its steps interleave)."""
        self._acking += 1
        self._done.clear()
        try:
            yield
        finally:
            self._acking -= 1
            if not self._acking:
                self._done.set()

    @contextlib.contextmanager
    def not_acking(self) -> Iterator[None]:
        """Step out of `acking` while a callback waits for its own handler (an inline answer)."""
        if not self._acking:
            yield
            return
        self._acking -= 1
        if not self._acking:
            self._done.set()
        try:
            yield
        finally:
            self._acking += 1
            self._done.clear()

    async def wait(self) -> None:
        """Wait (at most ACK_HOLD: under a never-ending stream of acks, still progress) until no callback is
        being answered; background work calls this before it starts a transaction of its own."""
        if not self._done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._done.wait(), ACK_HOLD)
