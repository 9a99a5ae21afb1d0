"""The in-transaction ledger of reps' loads: counts move with takes and releases; bounded takes say what room
the stored counters must still have when the transaction writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sales.distribution import Rotation
from sales.lead_loads import UNBOUNDED, Ledger, LoadMove
from sales.lead_rules import Rep

DAY = datetime(2026, 11, 27, tzinfo=UTC)


def ledger() -> Ledger:
    return Ledger([Rep(2, "乙", capacity=3, open_leads=1, new_today=1), Rep(1, "甲", capacity=5)], {}, 10)


def test_takes_count_open_and_today_and_keep_the_roster_sorted_and_current():
    led = ledger()
    led.take(2)
    led.take(2)
    assert [r.id for r in led.roster] == [1, 2]
    assert (led.roster[1].open_leads, led.roster[1].new_today) == (3, 3)
    # the second take happened at 2 open (1 more than stored): the stored count must stay below 3 - 1
    assert led.moves() == [LoadMove(2, 2, 2, need_open=1, need_today=1, open_limit=3, today_limit=10)]


def test_unbounded_takes_and_releases_carry_no_room_check():
    led = ledger()
    led.add([Rep(9, "主管", capacity=0)])  # a customer's owner who is not a rep
    led.take(9, bounded=False)
    led.release(2, DAY + timedelta(hours=1), DAY)  # assigned today: both counts drop
    led.release(1, DAY - timedelta(hours=1), DAY)  # assigned yesterday: only open drops
    assert [r.id for r in led.roster] == [1, 2]
    assert led.moves() == [LoadMove(1, -1, 0), LoadMove(2, -1, -1), LoadMove(9, 1, 1)]
    assert led.moves()[0].open_limit == UNBOUNDED


def test_a_release_before_a_take_lowers_the_room_needed():
    led = ledger()
    led.release(2, DAY, DAY)
    led.take(2)
    [move] = led.moves()
    assert (move.d_open, move.need_open, move.need_today) == (0, -1, -1)


def test_rotations_record_only_changed_pools():
    led = Ledger([], {"a": Rotation(1, 1)}, 10)
    led.rotate("b", Rotation(2, 1))
    assert led.changed_pools == {"b"} and led.rotations == {"a": Rotation(1, 1), "b": Rotation(2, 1)}
