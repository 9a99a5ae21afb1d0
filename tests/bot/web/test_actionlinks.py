"""GET /a/{token}: signed action links act once, for the person they were made for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.errors import BadSignature
from bot.core.signing import make_token, read_token
from tests.helpers import add_member, sent_cards

SECRET = "dev-only-change-me"


def test_tokens_round_trip_and_tampering_is_refused(clock):
    token = make_token("s", "dingtalk", "u1", "opp.show|3", "group:c", clock.now() + timedelta(days=1))
    assert read_token("s", token, clock.now()) == ("dingtalk", "u1", "opp.show|3", "group:c", False)
    assert read_token("s", token, clock.now() + timedelta(days=2))[4] is True
    body, mac = token.split(".")
    for bad in (token + "x", f"{body}A.{mac}", token.replace(".", ""), "garbage"):
        with pytest.raises(BadSignature):
            read_token("s", bad, clock.now())
    with pytest.raises(BadSignature):
        read_token("other", token, clock.now())


async def test_opening_a_link_acts_once_for_its_member(client, rt, clock):
    member_id = await add_member(rt, "王五")  # with its ("playground", "<id>") identity
    token = make_token(SECRET, "playground", str(member_id), "help|all", "group:1", clock.now() + timedelta(hours=1))
    first = await client.get(f"/a/{token}")
    assert first.status == 200 and "收到" in await first.text()
    again = await client.get(f"/a/{token}")
    assert again.status == 200 and "已经点过了" in await again.text()
    cards = await sent_cards(rt, "group:1")
    assert len(cards) == 1


async def test_expired_and_forged_links(client, rt, clock):
    old = make_token(SECRET, "playground", "1", "help|all", "", clock.now() - timedelta(seconds=1))
    resp = await client.get(f"/a/{old}")
    assert resp.status == 410 and "过期" in await resp.text()
    forged = make_token("not-the-key", "playground", "1", "help|all", "", clock.now() + timedelta(hours=1))
    resp = await client.get(f"/a/{forged}")
    assert resp.status == 403 and "按钮无效" in await resp.text()
