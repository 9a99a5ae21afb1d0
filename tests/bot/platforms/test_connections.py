"""Long connections: one holder per app across replicas, takeover when it dies, /readyz says when down."""

from __future__ import annotations

from datetime import timedelta

from bot.config import load_settings
from bot.config.checks import check_all
from bot.platforms.connections import Board, Held
from bot.platforms.dingtalk.extras.stream import is_disconnect


class Conn:
    def __init__(self) -> None:
        self.open = False

    def start(self) -> None:
        self.open = True

    async def stop(self) -> None:
        self.open = False


def _held(db, clock, board, conn, holder: str) -> Held:
    return Held(db, clock, board, "dingtalk-stream:app", 30, conn.start, conn.stop, holder=holder)


async def test_one_replica_holds_the_connection_and_another_takes_over_when_it_dies(migrated_db, clock):
    board_a, board_b, a, b = Board(clock), Board(clock), Conn(), Conn()
    ha, hb = _held(migrated_db, clock, board_a, a, "r1"), _held(migrated_db, clock, board_b, b, "r2")
    assert await ha.step() and not await hb.step()
    assert a.open and not b.open and board_b.links["dingtalk-stream:app"].state == "standby"
    clock.advance(timedelta(seconds=10))
    assert await ha.step() and not await hb.step()  # renewed in time: still r1's
    clock.advance(timedelta(seconds=31))  # r1 was killed -9: no renewal for a whole lease
    assert await hb.step() and b.open
    assert not await ha.step() and not a.open  # r1 comes back: it finds r2 holding and stays closed


async def test_a_clean_stop_hands_the_connection_over_at_once(migrated_db, clock):
    a, b = Conn(), Conn()
    ha, hb = _held(migrated_db, clock, Board(clock), a, "r1"), _held(migrated_db, clock, Board(clock), b, "r2")
    await ha.step()
    await ha.stop()
    assert not a.open and await hb.step() and b.open


def test_readyz_report_turns_red_only_after_a_held_connection_stays_down(clock):
    board = Board(clock)
    board.mark("feishu-ws:cli", "up")
    board.frame("feishu-ws:cli")
    assert board.report(60)[0]
    board.mark("feishu-ws:cli", "down")
    clock.advance(timedelta(seconds=30))
    assert board.report(60)[0]  # a reconnect in progress is not an outage yet
    clock.advance(timedelta(seconds=31))
    ready, links = board.report(60)
    assert not ready and links["feishu-ws:cli"]["state"] == "down" and links["feishu-ws:cli"]["frames"] == 1
    board.mark("other", "standby")
    board.mark("feishu-ws:cli", "up")
    assert board.report(60)[0]


def test_disconnect_frames_are_recognised():
    assert is_disconnect({"type": "SYSTEM", "headers": {"topic": "disconnect"}, "data": "{}"})
    assert not is_disconnect({"type": "SYSTEM", "headers": {"topic": "ping"}})
    assert not is_disconnect({"type": "CALLBACK", "headers": "x"})


async def test_readyz_lists_the_connections_and_says_when_one_is_down(client, rt, clock):
    rt.connections.mark("dingtalk-stream:app", "up")
    body = await (await client.get("/readyz")).json()
    assert body["status"] == "ready" and body["connections"]["dingtalk-stream:app"]["state"] == "up"
    rt.connections.mark("dingtalk-stream:app", "down")
    clock.advance(timedelta(seconds=61))
    resp = await client.get("/readyz")
    assert resp.status == 503 and (await resp.json())["connections"]["dingtalk-stream:app"]["state"] == "down"
    metrics = await (await client.get("/metrics")).text()
    assert 'salesbot_connection_up{connection="dingtalk-stream:app"} 0' in metrics


def test_check_config_names_bad_sender_and_connection_settings():
    s = load_settings(env={})
    assert not [p for p in check_all(s) if p.key.startswith(("outbox.", "connections."))]
    s.outbox.lease_seconds, s.connections.watchdog_seconds, s.outbox.concurrency = 10, 0, 0
    keys = {p.key for p in check_all(s)}
    assert {"outbox.lease_seconds", "connections.watchdog_seconds", "outbox.concurrency"} <= keys
