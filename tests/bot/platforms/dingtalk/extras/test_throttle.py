"""DingTalk's throttling answers are retried with its back-off, never dead-lettered at the first attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.errors import Throttled
from bot.core.events import ChatRef
from bot.platforms.dingtalk.api import DingTalkAPI
from bot.platforms.dingtalk.extras.throttle import throttled
from cards.views import notice_card
from storage.repos import outbox
from tests.bot.platforms.dingtalk.conftest import dingtalk_settings
from tests.bot.platforms.dingtalk.test_api import TEXT


@pytest.mark.parametrize(("status", "body", "after"), [
    (200, '{"errcode": 90002, "errmsg": "api freq out of limit"}', 1.0),
    (403, '{"code": "Forbidden.AccessDenied.QpsLimitForApi"}', 1.0),
    (429, "{}", 1.0),
    (200, '{"status": 1111, "wait": 5, "punish": "deny", "source": "x5"}', 300.0),
    (200, '{"errcode": 410100, "errmsg": "send too fast"}', 600.0),
    (200, '{"errcode": 90020, "errmsg": "本月api调用量已超过限制"}', 3600.0)])
def test_each_throttling_answer_is_recognised_with_its_back_off(status, body, after):
    error = throttled("POST /v1.0/robot/groupMessages/send", status, body)
    assert isinstance(error, Throttled) and error.retry_after == after


def test_other_answers_are_not_throttling():
    assert throttled("x", 200, '{"errcode": 0}') is None
    assert throttled("x", 400, '{"code": "invalidParameter"}') is None
    assert throttled("x", 200, "not json") is None


async def _no_wait(_seconds: float) -> None:
    """Tests never wait in real time: every back-off runs on the manual clock."""


async def test_a_throttled_api_call_raises_throttled(sqlite_url, fake, clock):
    # Not the `api` fixture: its 0.5 s client timeout is for the timeout test, and on a loaded machine a slow
    # answer from the fake's thread turned this throttling answer into a timeout.
    client = DingTalkAPI(dingtalk_settings(sqlite_url, fake).dingtalk, clock)
    fake.fail_next("throttled")
    try:
        with pytest.raises(Throttled, match="QpsLimitForApi"):
            await client.send("group:cid1", TEXT)
    finally:
        await client.close()


async def test_through_the_sender_a_throttled_reply_waits_and_goes_out(drt, fake, clock):
    drt.settings.outbox.max_attempts = 1  # one failed attempt would dead-letter it; throttling is not one
    drt.sender.rate_clock, drt.sender._sleep = clock, _no_wait  # rate windows and waits on the manual clock
    drt.apis["dingtalk"].tokens._sleep = _no_wait
    async with drt.db.session() as s:
        to = ChatRef("dingtalk", "group:cid1", True)
        await (await drt.context(s)).outbox.send(to, notice_card("晨报", "今日必做"), "reply:1")
    fake.fail_next("throttled")
    await drt.sender.run_once()
    [row] = await outbox.recent(drt.db)
    assert row.status == "pending" and row.attempts == 0 and "throttled" in row.last_error
    clock.advance(timedelta(seconds=2))
    await drt.sender.run_once()
    assert (await outbox.counts(drt.db)) == {"sent": 1}
