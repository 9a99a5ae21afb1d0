"""The event path: error funnel, refusals, crash recovery, features and permissions."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import handling
from bot.core.events import ChatRef, Event
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from handlers import opportunities
from storage.repos import inbox
from tests.conftest import make_settings
from tests.helpers import add_member, message, sent_cards
from tests.schema import migrate


def _msg(actor: str, text: str, key: str) -> Event:
    return Event("playground", "message", key, actor, ChatRef("playground", "group:1", True), text)


async def test_a_crashing_handler_gets_a_friendly_card_and_releases_its_claim(rt, caplog, monkeypatch):
    rep = await add_member(rt, "周杰")

    async def boom(event, ctx):
        raise RuntimeError("db exploded at line 42")

    monkeypatch.setattr(rt.routes.match("新建商机 x")[0], "handler", boom)
    with caplog.at_level(logging.ERROR, logger="salesbot.dispatch"):
        stored = await rt.dispatcher.ingest(_msg(str(rep), "新建商机 华东医疗", "m1"))
        cards = await sent_cards(rt)
    assert cards[0]["card"]["title"] == "刚才没处理成功"
    assert "exploded" not in str(cards) and "Traceback" not in str(cards)
    assert "handler failed" in caplog.text
    row = (await inbox.recent(rt.db, "playground", None))[0]
    assert row.status == "failed" and "exploded" in row.error
    retry = await rt.dispatcher.ingest(_msg(str(rep), "新建商机 华东医疗", "m1"))
    assert retry.new and retry.id == stored.id  # the platform's retry may succeed
    await sent_cards(rt)
    assert len(await sent_cards(rt)) == 1  # the error card is not sent twice


async def test_refusals_are_answered_and_closed(rt):
    owner = await add_member(rt, "吴磊")
    other = await add_member(rt, "郑爽")
    await rt.dispatcher.ingest(_msg(str(owner), "新建商机 长江物流", "a"))
    await rt.dispatcher.ingest(_msg(str(other), "新建商机 长江物流", "b"))
    cards = await sent_cards(rt)
    assert cards[-1]["card"]["title"] == "这个操作做不了"
    assert "吴磊" in cards[-1]["card"]["sections"][0]["text"]
    statuses = {r.status for r in await inbox.recent(rt.db, "playground", None)}
    assert statuses == {"done"}


async def test_unknown_people_are_told_how_to_get_access(rt):
    await rt.dispatcher.ingest(_msg("999", "新建商机 华东医疗", "x"))
    cards = await sent_cards(rt)
    assert cards[0]["card"]["title"] == "还不认识你"


async def test_an_event_left_unfinished_by_a_crash_is_processed_at_next_start(rt, clock, sqlite_url):
    rep = await add_member(rt, "冯伟")
    event = _msg(str(rep), "帮助", "crashed")
    await rt.inbox.put(event.platform, event.dedupe_key, event.kind, event.to_dict())  # stored, acked, then crash
    clock.advance(timedelta(minutes=5))
    second = Runtime(make_settings(sqlite_url), clock=clock, apis={"playground": PlaygroundAPI()})
    await second.start(serve_sender=False)
    cards = await sent_cards(second)
    await second.stop()
    assert [c["card"]["title"] for c in cards] == ["销售助手能做什么"]


async def test_features_switched_off_disappear_from_help_and_routing(sqlite_url, clock):
    rt = Runtime(make_settings(sqlite_url, features={"opportunities": False}), clock=clock,
                 apis={"playground": PlaygroundAPI()})
    await migrate(rt.db)
    await rt.start(serve_sender=False)
    rep = await add_member(rt, "陈晨")
    await rt.dispatcher.ingest(_msg(str(rep), "帮助", "h"))
    await rt.dispatcher.ingest(_msg(str(rep), "新建商机 华东医疗", "n"))
    cards = await sent_cards(rt)
    await rt.stop()
    assert "新建商机" not in str(cards[0]["card"])
    assert cards[1]["card"]["title"] == "我能帮你做这些"


async def test_only_the_owner_or_a_manager_may_advance(client, rt):
    owner = await add_member(rt, "林峰")
    stranger = await add_member(rt, "何洁")
    boss = await add_member(rt, "韩总", role="manager")
    await client.post("/playground/api/message", json=message(owner, "@销售助手 新建商机 星海零售"))
    card = (await sent_cards(rt))[0]["card"]
    value = card["buttons"][1]["value"]
    for who, cid in ((stranger, "s"), (boss, "b")):  # one after the other, so the answers' order is fixed
        await client.post("/playground/api/click", json={"member_id": who, "chat_id": "group:1", "skin": "wecom",
                                                         "value": value, "client_id": cid})
        cards = await sent_cards(rt)
    assert cards[1]["card"]["title"] == "这个操作做不了"
    assert cards[2]["card"]["title"].startswith("还不能推进：")


async def test_evidence_then_advance_moves_the_stage(client, rt):
    rep = await add_member(rt, "唐宁")
    for text in ("新建商机 蓝海医疗 预算 30-50万", "凭证 https://docs.example.com/minutes-1", "推进"):
        await client.post("/playground/api/message", json=message(rep, f"@销售助手 {text}"))
        await sent_cards(rt)
    cards = await sent_cards(rt)
    assert cards[1]["card"]["title"].startswith("已记下会议纪要")
    assert cards[2]["card"]["title"] == "已推进到方案演示：蓝海医疗"
    assert opportunities.router.name == "opportunities"


async def test_inline_replies_are_answered_once_and_skipped_by_the_sender(rt):
    rep = await add_member(rt, "江涛")
    stored, payloads = await rt.dispatcher.ingest_and_wait(_msg(str(rep), "帮助", "inline"), timeout=5)
    assert stored.new and [p["card"]["title"] for p in payloads] == ["销售助手能做什么"]
    assert await rt.sender.run_once() == 0  # already answered inline: never sent twice
    again, none = await rt.dispatcher.ingest_and_wait(_msg(str(rep), "帮助", "inline"), timeout=5)
    assert not again.new and none == []


async def test_slow_handlers_fall_back_to_the_sender(rt, monkeypatch):
    import asyncio

    rep = await add_member(rt, "罗兰")
    original = handling.route

    async def slow(table, event, ctx):
        await asyncio.sleep(0.2)
        return await original(table, event, ctx)

    monkeypatch.setattr(handling, "route", slow)
    _, payloads = await rt.dispatcher.ingest_and_wait(_msg(str(rep), "帮助", "slow"), timeout=0.01)
    assert payloads == []
    assert len(await sent_cards(rt)) == 1


async def test_a_handled_event_wakes_only_the_sender_lanes_of_the_platforms_it_queued_for(rt, monkeypatch):
    """On SQLite a woken lane with nothing to send still looks for due rows: one statement per event wasted."""
    rep = await add_member(rt, "周杰")
    woken: list[set[str] | None] = []
    monkeypatch.setattr(rt.sender, "wake", lambda platforms=None: woken.append(
        None if platforms is None else set(platforms)))
    await rt.dispatcher.ingest(_msg(str(rep), "新建商机 华东医疗", "w1"))
    await rt.dispatcher.drain()
    assert woken == [{"playground"}]
    await rt.dispatcher.ingest(Event("playground", "platform", "p1", None, None, ""))  # archived, no reply
    await rt.dispatcher.drain()
    assert woken == [{"playground"}]
