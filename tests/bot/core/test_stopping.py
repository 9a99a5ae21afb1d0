"""cancel_and_wait and within: stop background tasks and time out, never swallowing a cancel aimed at the caller."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.stopping import cancel_and_wait, within


async def _forever() -> None:
    await asyncio.Event().wait()


async def _fail() -> None:
    raise RuntimeError("boom")


async def test_it_cancels_and_waits_for_every_task() -> None:
    tasks = [asyncio.create_task(_forever()) for _ in range(3)]
    await cancel_and_wait([*tasks, None])
    assert all(task.cancelled() for task in tasks)


async def test_a_cancel_aimed_at_the_stopper_propagates() -> None:
    started = asyncio.Event()

    async def stubborn() -> None:  # takes a while to wind down, so the stopper is still waiting when it is cancelled
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.shield(asyncio.sleep(0.05))

    async def stopper(background: asyncio.Task[None]) -> str:
        await cancel_and_wait([background])
        await asyncio.Event().wait()  # the old suppress(CancelledError) pattern ran on into here and hung
        return "ran on"

    background = asyncio.create_task(stubborn())
    await started.wait()
    task = asyncio.create_task(stopper(background))
    await asyncio.sleep(0.01)  # the stopper is inside cancel_and_wait, the background task winding down
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 1.0)
    await asyncio.wait({background})
    assert background.cancelled()


async def test_what_a_task_raised_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    task = asyncio.create_task(_fail(), name="failing")
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="bot.core.stopping"):
        await cancel_and_wait([task])
    assert "failing ended with RuntimeError('boom')" in caplog.text


async def test_a_task_that_ignores_the_cancel_is_left_after_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()

    async def deaf() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(deaf(), name="deaf")
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="bot.core.stopping"):
        await cancel_and_wait([task], timeout=0.01)
    assert not task.done() and "deaf did not stop within 0.01 s" in caplog.text
    release.set()
    await task


async def test_within_lets_a_cancel_through_that_meets_the_result_in_the_same_step():
    loop = asyncio.get_running_loop()
    result = loop.create_future()
    waiter = asyncio.create_task(within(result, 10))
    await asyncio.sleep(0)
    result.set_result("pong")  # the awaited thing finishes in the step the stopper cancels: 3.11's wait_for
    waiter.cancel()  # returned "pong" here, and the loop it served ran on forever
    with pytest.raises(asyncio.CancelledError):
        await waiter


async def test_within_times_out_and_returns_in_time():
    with pytest.raises(TimeoutError):
        await within(asyncio.sleep(1), 0.01)
    assert await within(asyncio.sleep(0, "done"), 1) == "done"
