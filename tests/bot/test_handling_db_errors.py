"""make prove (issue 19): a handler that hits a database error — PostgreSQL restarting, a lock — is retried.

Its transaction rolled back, so the event is tried again after a pause, then handed back to the inbox; it is
failed (with the error card) only when its attempts are used up. Before, the first such error failed the
event for good: an acknowledged event is never sent again by the platform, so it stayed unhandled.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from bot import handling
from bot.core.events import ChatRef, Event
from storage.models import InboxEvent
from storage.repos import inbox
from tests.helpers import add_member, sent_cards

HELP = "销售助手能做什么"


def _msg(actor: str, key: str) -> Event:
    return Event("playground", "message", key, actor, ChatRef("playground", "group:1", True), "帮助")


def _away() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def _failing(rt, monkeypatch, times: int) -> list[float]:
    """Make the help handler hit a database error `times` times; return the pauses the dispatcher took."""
    route = rt.routes.match("帮助")[0]
    real, left, pauses = route.handler, [times], []

    async def flaky(event, ctx):
        if left[0]:
            left[0] -= 1
            raise _away()
        return await real(event, ctx)

    async def no_wait(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(route, "handler", flaky)
    rt.dispatcher.sleep = no_wait
    return pauses


async def _rows(rt) -> list[tuple[str, int, str]]:
    return [(r.status, r.attempts, r.error) for r in await inbox.recent(rt.db, "playground", None)]


async def test_a_database_error_mid_handling_is_retried_not_failed(rt_any, monkeypatch):
    rep = await add_member(rt_any, "冯伟")
    pauses = _failing(rt_any, monkeypatch, times=1)
    await rt_any.dispatcher.ingest(_msg(str(rep), "m1"))
    assert [c["card"]["title"] for c in await sent_cards(rt_any)] == [HELP]  # no error card
    assert pauses == [handling.DB_PAUSES[0]]
    assert [s for s, _, _ in await _rows(rt_any)] == ["done"]


async def test_a_database_still_away_hands_the_event_back_for_a_later_attempt(rt_any, clock, monkeypatch):
    rep = await add_member(rt_any, "冯伟")
    _failing(rt_any, monkeypatch, times=len(handling.DB_PAUSES) + 1)
    await rt_any.dispatcher.ingest(_msg(str(rep), "m1"))
    assert await sent_cards(rt_any) == []
    (status, attempts, error), = await _rows(rt_any)
    assert (status, attempts) == ("processing", 1) and "server closed" in error
    assert await rt_any.dispatcher.sweep() == 0  # not before its retry time
    clock.advance(handling.RETRY_LATER + timedelta(seconds=1))
    assert await rt_any.dispatcher.sweep() == 1
    assert [c["card"]["title"] for c in await sent_cards(rt_any)] == [HELP]
    assert [(s, a) for s, a, _ in await _rows(rt_any)] == [("done", 2)]


async def test_an_event_whose_attempts_are_used_up_is_failed_with_one_error_card(rt_any, clock, monkeypatch):
    rep = await add_member(rt_any, "冯伟")
    _failing(rt_any, monkeypatch, times=10_000)
    await rt_any.dispatcher.ingest(_msg(str(rep), "m1"))
    for _ in range(inbox.MAX_ATTEMPTS + 2):
        clock.advance(handling.RETRY_LATER + timedelta(seconds=1))
        await rt_any.dispatcher.sweep()
        await rt_any.dispatcher.drain()
    assert [c["card"]["title"] for c in await sent_cards(rt_any)] == ["刚才没处理成功"]
    assert [(s, a) for s, a, _ in await _rows(rt_any)] == [("failed", inbox.MAX_ATTEMPTS)]


async def test_an_abandoned_row_out_of_attempts_is_failed_not_left_processing(rt_any, clock):
    event = _msg("1", "m1")
    stored = await rt_any.inbox.put(event.platform, event.dedupe_key, event.kind, event.to_dict())
    async with rt_any.db.engine.begin() as conn:  # its claimant died mid-handling on every attempt
        await conn.execute(update(InboxEvent).where(InboxEvent.id == stored.id).values(attempts=inbox.MAX_ATTEMPTS))
    clock.advance(inbox.LEASE + timedelta(seconds=1))
    assert await rt_any.dispatcher.sweep() == 0
    assert [(s, a) for s, a, _ in await _rows(rt_any)] == [("failed", inbox.MAX_ATTEMPTS)]


async def test_a_failure_mark_never_overwrites_a_done_row(rt_any, clock):
    event = _msg("1", "m1")
    stored = await rt_any.inbox.put(event.platform, event.dedupe_key, event.kind, event.to_dict())
    async with rt_any.db.session() as session:  # the commit went through though its answer was lost
        await inbox.mark_done(session, stored.id, clock.now())
    await inbox.mark_failed(rt_any.db, stored.id, "OperationalError: connection lost during COMMIT")
    assert [s for s, _, _ in await _rows(rt_any)] == ["done"]
