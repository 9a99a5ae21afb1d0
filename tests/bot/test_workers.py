"""The worker pool: bounded in-flight, backlog in the inbox, chatter closed at once, crashes swept while running."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from bot import ackgate
from bot.core.events import ChatRef, Event
from storage.models import Member
from storage.repos import inbox
from tests.helpers import add_member, sent_cards


def _msg(actor: str, text: str, key: str, chat: str = "group:1") -> Event:
    return Event("playground", "message", key, actor, ChatRef("playground", chat, True), text)


async def _statuses(rt, platform: str = "playground") -> dict[str, str]:
    return {r.dedupe_key: r.status for r in await inbox.recent(rt.db, platform, None)}


async def test_chatter_nobody_handles_is_stored_done_and_never_reaches_a_worker(rt_any, monkeypatch):
    handled = []
    monkeypatch.setattr(rt_any.dispatcher, "process", lambda i, e: handled.append(i))
    chatter = Event("feishu", "platform", "msg:om_1", "ou_1", ChatRef("feishu", "oc_1", True),
                    raw={"event": {"message": {"content": "{\"text\":\"午饭吃什么\"}"}}})
    stored = await rt_any.dispatcher.ingest(chatter)
    await rt_any.dispatcher.drain()
    assert stored.new and handled == []
    assert await _statuses(rt_any, "feishu") == {"msg:om_1": "done"}
    assert not (await rt_any.dispatcher.ingest(chatter)).new
    assert rt_any.routes.wanted(Event("feishu", "platform", "x", raw={"attachments": [{"kind": "image"}]}))


async def test_a_backlog_waits_in_the_inbox_and_is_handled_in_order(rt_any, monkeypatch):
    rep = await add_member(rt_any, "周杰")
    pool = rt_any.dispatcher.pool
    pool.capacity = 2
    seen, most_held = [], 0
    release = asyncio.Event()
    original = rt_any.dispatcher.process

    async def slow(inbox_id, event):
        nonlocal most_held
        most_held = max(most_held, len(pool.held))
        await release.wait()
        seen.append(event.dedupe_key)
        await original(inbox_id, event)

    monkeypatch.setattr(pool, "handle", slow)
    keys = [f"k{i}" for i in range(12)]
    acks = [await rt_any.dispatcher.ingest(_msg(str(rep), "帮助", k, chat=f"c{i}")) for i, k in enumerate(keys)]
    assert all(a.new for a in acks)
    statuses = await _statuses(rt_any)
    assert sum(s == "pending" for s in statuses.values()) == 10  # beyond capacity: in the database
    assert (await inbox.backlog(rt_any.db))[0] == 12
    release.set()
    await rt_any.dispatcher.drain()
    assert sorted(seen) == sorted(keys) and seen[:2] == keys[:2] and most_held <= 2
    assert set((await _statuses(rt_any)).values()) == {"done"}
    assert (await inbox.backlog(rt_any.db))[0] == 0


async def test_one_chats_messages_are_handled_one_after_the_other(rt):
    owner = await add_member(rt, "吴磊")
    other = await add_member(rt, "郑爽")
    await rt.dispatcher.ingest(_msg(str(owner), "新建商机 长江物流", "a"))
    await rt.dispatcher.ingest(_msg(str(other), "新建商机 长江物流", "b"))
    cards = await sent_cards(rt)
    assert cards[-1]["card"]["title"] == "这个操作做不了"  # the second sees the first's customer, no race


async def test_rows_caught_mid_handling_by_a_crash_are_handled_within_one_lease_without_a_restart(rt_any, clock):
    rep = await add_member(rt_any, "冯伟")
    crashed = _msg(str(rep), "帮助", "crashed")
    # Stored and claimed by a replica that then died: the row sits in `processing` inside its lease.
    await rt_any.inbox.put(crashed.platform, crashed.dedupe_key, crashed.kind, crashed.to_dict())
    assert await rt_any.dispatcher.sweep() == 0  # still leased: maybe its claimant is alive
    clock.advance(inbox.LEASE + timedelta(seconds=1))
    assert await rt_any.dispatcher.sweep() == 1  # the running sweeper takes it over, no restart
    cards = await sent_cards(rt_any)
    assert [c["card"]["title"] for c in cards] == ["销售助手能做什么"]
    assert await _statuses(rt_any) == {"crashed": "done"}


async def test_the_platform_retry_of_an_abandoned_row_is_handled_not_dropped(rt, clock):
    rep = await add_member(rt, "陈晨")
    event = _msg(str(rep), "帮助", "retry")
    first = await rt.inbox.put(event.platform, event.dedupe_key, event.kind, event.to_dict())
    clock.advance(inbox.LEASE + timedelta(seconds=1))
    retry = await rt.dispatcher.ingest(event)
    assert retry.new and retry.id == first.id
    assert len(await sent_cards(rt)) == 1
    assert not (await rt.dispatcher.ingest(event)).new  # once done, a retry is a duplicate


async def test_held_rows_keep_their_lease_while_queued(rt, clock, monkeypatch):
    rep = await add_member(rt, "郭靖")
    gate = asyncio.Event()

    async def stuck(inbox_id, event):
        await gate.wait()

    monkeypatch.setattr(rt.dispatcher.pool, "handle", stuck)
    await rt.dispatcher.ingest(_msg(str(rep), "帮助", "slow"))
    await asyncio.sleep(0)
    clock.advance(inbox.LEASE - timedelta(seconds=5))
    await rt.dispatcher.sweep()  # renews the lease of what this process holds
    clock.advance(timedelta(seconds=30))
    assert await inbox.claim_batch(rt.db, clock.now(), 10) == []  # not taken over from a live worker
    gate.set()
    await rt.dispatcher.drain()


async def test_member_changes_are_seen_by_the_next_event(rt):
    rep = await add_member(rt, "黄蓉")
    await rt.dispatcher.ingest(_msg(str(rep), "帮助", "h1"))
    await rt.dispatcher.drain()
    async with rt.db.session() as s:
        await s.execute(update(Member).where(Member.id == rep).values(role="manager"))
    async with rt.db.session() as s:
        member = await rt.members.get(s, "playground", str(rep))
        assert await rt.members.get(s, "playground", "nobody") is None
    assert member.role == "manager"


async def test_metrics_show_the_backlog_and_its_age(client, rt, clock):
    await rt.inbox.put("playground", "waiting", "message", _msg("1", "帮助", "waiting").to_dict(), "pending")
    clock.advance(timedelta(seconds=42))
    text = await (await client.get("/metrics")).text()
    assert "salesbot_inbox_backlog 1" in text
    assert "salesbot_inbox_backlog_age_seconds 42" in text


async def test_inline_answers_never_wait_behind_a_backlog(rt):
    rep = await add_member(rt, "杨过")
    rt.dispatcher.pool.capacity = 0  # every worker busy: the event waits in the inbox
    stored, payloads = await rt.dispatcher.ingest_and_wait(_msg(str(rep), "帮助", "inline"), timeout=2.0)
    assert stored.new and payloads == []  # acked at once; the reply goes out through the sender
    assert await _statuses(rt) == {"inline": "pending"}
    rt.dispatcher.pool.capacity = 4
    assert [c["card"]["title"] for c in await sent_cards(rt)] == ["销售助手能做什么"]


async def test_workers_hold_new_events_while_acks_are_in_flight_but_not_forever(rt, monkeypatch):
    rep = await add_member(rt, "欧阳锋")
    started = []

    async def record(inbox_id, event):
        started.append(event.dedupe_key)

    monkeypatch.setattr(rt.dispatcher.pool, "handle", record)
    monkeypatch.setattr(ackgate, "ACK_HOLD", 0.05)
    with rt.acks.acking():
        await rt.dispatcher.ingest(_msg(str(rep), "帮助", "held"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert started == []  # the ack goes first
        await asyncio.sleep(0.2)
        assert started == ["held"]  # a stream of acks never starves handling for good
    await rt.dispatcher.drain()


async def test_an_event_its_callback_waits_for_starts_while_other_acks_are_in_flight(rt, monkeypatch):
    rep = await add_member(rt, "黄药师")
    monkeypatch.setattr(ackgate, "ACK_HOLD", 5.0)  # the gate would hold any other event past the wait below
    with rt.acks.acking(), rt.acks.acking():  # two callbacks being answered; the second waits for its reply
        _, payloads = await rt.dispatcher.ingest_and_wait(_msg(str(rep), "帮助", "inline"), timeout=1.0)
    assert [p["card"]["title"] for p in payloads] == ["销售助手能做什么"]  # answered inline, not by the sender
