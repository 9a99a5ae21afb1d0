"""The ack gate: background work starts between callbacks, after a quiet moment, and never waits forever."""

from __future__ import annotations

import asyncio

from bot import ackgate
from bot.ackgate import AckGate
from bot.config import OutboxConfig
from bot.metrics import Metrics
from bot.sender import Sender
from storage.repos import outbox


async def _opened_within(gate: AckGate, seconds: float) -> bool:
    try:
        await asyncio.wait_for(gate.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def test_the_gate_opens_only_after_a_quiet_moment_with_no_callback(monkeypatch):
    monkeypatch.setattr(ackgate, "QUIET", 0.02)
    gate = AckGate()
    assert await _opened_within(gate, 0.001)  # nothing answered yet: open
    with gate.acking():
        assert not await _opened_within(gate, 0.01)
    assert not await _opened_within(gate, 0.005)  # the last ack just left: not quiet yet
    assert await _opened_within(gate, 0.1)


async def test_a_callback_arriving_while_the_gate_settles_keeps_it_shut(monkeypatch):
    monkeypatch.setattr(ackgate, "QUIET", 0.03)
    gate = AckGate()
    with gate.acking():
        pass
    await asyncio.sleep(0.02)
    with gate.acking():  # a flood: the next callback came before the quiet moment was over
        pass
    waiter = asyncio.ensure_future(gate.wait())
    await asyncio.sleep(0.02)
    assert not waiter.done()  # 40 ms after the first ack, but only 20 ms after the second
    await asyncio.wait_for(waiter, 0.2)


async def test_a_never_ending_stream_of_acks_still_lets_work_start_after_the_hold(monkeypatch):
    monkeypatch.setattr(ackgate, "ACK_HOLD", 0.05)
    gate = AckGate()
    with gate.acking():
        loop = asyncio.get_running_loop()
        started = loop.time()
        await gate.wait()
        assert 0.04 <= loop.time() - started < 0.5


async def test_a_callback_waiting_for_its_own_handler_opens_the_gate_at_once():
    gate = AckGate()
    with gate.acking(), gate.not_acking():
        assert await _opened_within(gate, 0.001)
    with gate.acking():
        assert not await _opened_within(gate, 0.001)  # back in: shut again


async def test_the_sender_claims_nothing_while_a_callback_is_answered(migrated_db, clock, monkeypatch):
    monkeypatch.setattr(ackgate, "ACK_HOLD", 0.3)
    sent: list[str] = []

    class Api:
        async def send(self, target: str, payload: dict) -> None:
            sent.append(target)

    async with migrated_db.session() as s:
        await outbox.enqueue(s, "k1", "fake", "chat1", {"text": "hi"}, clock.now())
    gate = AckGate()
    sender = Sender(migrated_db, clock, {"fake": Api()}, OutboxConfig(), Metrics(), rate_clock=clock, gate=gate)
    with gate.acking():
        sender.start()
        await asyncio.sleep(0.1)
        assert sent == []  # the ack goes first
    for _ in range(100):
        if sent:
            break
        await asyncio.sleep(0.01)
    await sender.stop()
    assert sent == ["chat1"]
