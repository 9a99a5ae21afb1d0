"""WecomAPI against the fake: token cache and refresh, failures, webhooks, response_url and response codes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import WecomConfig
from bot.core.errors import DeliveryError, Throttled, TransientDeliveryError
from bot.platforms.wecom.api import WecomAPI
from storage.db import Database
from storage.repos import wecom_cards
from tests.fakes.wecom import AGENT_ID, CORP_ID, SECRET, WEBHOOK_KEY
from tests.schema import migrate

TEXT = {"msgtype": "text", "text": {"content": "你好"}}
CARD = {"msgtype": "template_card", "template_card": {
    "card_type": "button_interaction", "main_title": {"title": "新线索"}, "task_id": "sb_api_1",
    "button_list": [{"text": "接单", "style": 1, "key": "lead.accept|1"}]}}


def _cfg(url: str, **kw) -> WecomConfig:
    values = {"enabled": True, "corp_id": CORP_ID, "agent_id": AGENT_ID, "secret": SECRET, "api_base": url,
              "webhook_keys": {"east": WEBHOOK_KEY}, **kw}
    return WecomConfig(**values)


@pytest.fixture
async def db(sqlite_url):
    database = Database(sqlite_url)
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
async def api(fake, clock, db):
    client = WecomAPI(_cfg(fake.url), db, clock, timeout=0.3)
    yield client
    await client.close()


async def test_token_is_cached_and_refreshed_before_expiry(api, fake, clock):
    await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})
    await api.send("dm:u2", {"kind": "app", "touser": "u2", "body": TEXT})
    assert fake.token_calls == 1
    clock.advance(timedelta(seconds=7200 - 200))  # inside the 5-minute early-refresh margin
    await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})
    assert fake.token_calls == 2 and len(fake.messages) == 3


@pytest.mark.parametrize("failure", ["token_invalid", "token_expired"])
async def test_an_invalid_token_is_refetched_once_and_the_call_retried(api, fake, failure):
    await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})
    fake.fail_next(failure)
    await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})
    assert fake.token_calls == 2 and len(fake.messages) == 2


async def test_a_token_rejected_twice_is_retried_later(api, fake):
    fake.fail_next("token_invalid")
    fake.fail_next("token_invalid")
    with pytest.raises(TransientDeliveryError, match="40014"):
        await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})


@pytest.mark.parametrize("failure, code", [("freq", "45009"), ("busy", "-1"), ("timeout", "unreachable")])
async def test_busy_limited_and_timeouts_are_transient(api, fake, failure, code):
    fake.fail_next(failure)
    with pytest.raises(TransientDeliveryError, match=code):
        await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})


async def test_bad_secret_and_bad_shapes_are_permanent(fake, clock, db):
    bad = WecomAPI(_cfg(fake.url, secret="wrong"), db, clock)
    with pytest.raises(DeliveryError, match="secret"):
        await bad.send("dm:u1", {"kind": "app", "touser": "u1", "body": TEXT})
    await bad.close()
    good = WecomAPI(_cfg(fake.url), db, clock)
    with pytest.raises(DeliveryError, match="40058"):
        await good.send("dm:u1", {"kind": "app", "touser": "u1", "body": {"msgtype": "text", "text": {"content": ""}}})
    with pytest.raises(DeliveryError, match="webhook_keys"):
        await good.send("webhook:west", {"kind": "webhook", "name": "west", "body": TEXT})
    await good.close()


async def test_a_card_remembers_its_response_code_and_an_update_spends_it_once(api, fake, db, clock):
    await api.send("dm:u1", {"kind": "app", "touser": "u1", "body": CARD})
    update = {"kind": "app_update", "touser": "u1", "task_id": "sb_api_1", "response_code": "", "code_at": 0,
              "template_card": {**CARD["template_card"], "main_title": {"title": "已接单"}},
              "fallback": {**CARD, "template_card": {**CARD["template_card"], "task_id": "sb_api_2"}}}
    await api.send("dm:u1", update)
    assert len(fake.updates) == 1 and await wecom_cards.claim(db, "sb_api_1", clock.now()) is None
    await api.send("dm:u1", update)  # the code is spent: a new card instead
    assert len(fake.updates) == 1 and [c["task_id"] for c in fake.cards()] == ["sb_api_1", "sb_api_2"]


async def test_webhook_over_the_limit_is_kept_for_later(api, fake):
    for i in range(20):
        await api.send("webhook:east", {"kind": "webhook", "name": "east",
                                        "body": {"msgtype": "markdown", "markdown": {"content": f"#{i}"}}})
    with pytest.raises(TransientDeliveryError, match="20 messages a minute"):
        await api.send("webhook:east", {"kind": "webhook", "name": "east",
                                        "body": {"msgtype": "markdown", "markdown": {"content": "late"}}})
    assert len(fake.webhooks) == 20


def _robot(url: str, expires: int, body: dict | None = None) -> dict:
    return {"kind": "robot", "body": body or {"msgtype": "markdown", "markdown": {"content": "好的"}},
            "response_url": url, "expires": expires, "fallback_user": "u1", "update": False}


async def test_response_url_is_used_once_then_the_app_takes_over(api, fake, clock):
    url = fake.response_url("https://qyapi.weixin.qq.com")  # rewritten onto api_base
    later = int(clock.now().timestamp()) + 3600
    await api.send("robot:wrk1", _robot(url, later))
    await api.send("robot:wrk1", _robot(url, later))
    assert len(fake.robot_replies) == 1
    [dm] = fake.messages
    assert dm["touser"] == "u1" and dm["msgtype"] == "markdown"


async def test_expired_or_foreign_response_urls_are_not_called(api, fake, clock):
    now = int(clock.now().timestamp())
    await api.send("robot:wrk1", _robot(fake.response_url(fake.url), now - 1))
    await api.send("robot:wrk1", _robot("https://evil.example/cgi-bin/aibot/response?response_code=x", now + 60))
    assert fake.robot_replies == [] and len(fake.messages) == 2


async def test_without_the_app_a_spent_response_url_is_a_dead_letter(fake, clock, db):
    api = WecomAPI(_cfg(fake.url, secret=""), db, clock)
    with pytest.raises(DeliveryError, match="agent_id and secret"):
        await api.send("robot:wrk1", _robot("", 0))
    await api.close()


async def test_api_freq_out_of_limit_is_throttling_with_a_minute_of_back_off(api, fake):
    fake.fail_next("freq")  # 45009: retried after a minute by the sender, never counted as a failed attempt
    with pytest.raises(Throttled) as caught:
        await api.send_app("zhangsan", {"msgtype": "text", "text": {"content": "hi"}})
    assert caught.value.retry_after == 60
