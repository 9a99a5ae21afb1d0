"""The ack gate: while platform callbacks are being answered, background work starts nothing new.

On one event loop an ack waits behind whatever other steps are queued before it. bot/web/guards.py brackets
every POST with `acking()`; the inbox workers, the sender's lanes and the task worker `wait()` before they start
an event or a claim. The gate opens once no callback has been in flight for QUIET: under a flood the gaps
between callbacks are shorter than that, so handling waits until the flood pauses, at most ACK_HOLD per start,
and a never-ending stream of acks still leaves room for handling.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

ACK_HOLD = 0.5  # seconds a waiter waits for the gate before it starts anyway (the floor under any flood)
QUIET = 0.001  # seconds with no callback in flight and none arriving before the gate opens


class AckGate:
    """Counts the callbacks being answered right now; open after QUIET with none."""

    def __init__(self) -> None:
        self._acking = 0
        self._arrivals = 0  # callbacks begun, ever: a change says one arrived while the gate was settling
        self._open = asyncio.Event()
        self._open.set()
        self._timer: asyncio.TimerHandle | None = None

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        """Bracket answering a callback: nothing new starts meanwhile, so acks never queue behind handler CPU on
        the event loop (a handler already running finishes; its steps interleave)."""
        self._enter()
        self._arrivals += 1
        try:
            yield
        finally:
            self._leave(settle=True)

    @contextlib.contextmanager
    def not_acking(self) -> Iterator[None]:
        """Step out of `acking` while a callback waits for its own handler (an inline answer): open at once."""
        if not self._acking:
            yield
            return
        self._leave(settle=False)
        try:
            yield
        finally:
            self._enter()

    def _enter(self) -> None:
        self._acking += 1
        self._open.clear()

    def _leave(self, settle: bool) -> None:
        self._acking -= 1
        if self._acking:
            return
        if not settle:
            self._open.set()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(QUIET, self._settle, self._arrivals)

    def _settle(self, seen: int) -> None:
        """Open if no callback arrived since the last one left; else look again after another QUIET."""
        self._timer = None
        if self._acking:
            return  # the next callback to leave schedules the check again
        if seen == self._arrivals:
            self._open.set()
        else:
            self._timer = asyncio.get_running_loop().call_later(QUIET, self._settle, self._arrivals)

    async def wait(self) -> None:
        """Wait until the gate is open, at most ACK_HOLD (under a never-ending stream of acks, still progress)."""
        if self._open.is_set():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(ACK_HOLD):
                await self._open.wait()
