"""bench.route's reply backlog and must_do targets: the rows it queues, the rate it reads, the lines it prints."""

from __future__ import annotations

import json

from bench import route_drain, route_targets
from bench.route_kit import MARK


def _template(i: int) -> tuple[str, dict]:
    name = f"华东客户hQ{i}Z"
    return f"oc_h_{i}", {"uuid": f"sb-{i}", "msg_type": "interactive", "reply_to": f"om_h_{i}",
                         "card": {"header": {"title": {"content": f"新商机：{name}"}}}, "toast": {"content": name}}


def test_backlog_rows_each_have_their_own_chat_mark_and_uuid():
    rows = route_drain.backlog_rows([_template(0), _template(1)], 5)
    assert [r[1] for r in rows] == ["feishu"] * 5
    assert len({r[0] for r in rows}) == len({r[2] for r in rows}) == len({r[3]["uuid"] for r in rows}) == 5
    for k, (_, _, _, payload) in enumerate(rows):
        assert set(MARK.findall(json.dumps(payload, ensure_ascii=False))) == {str(k)}  # every mark, not the first
        assert payload["reply_to"] in ("om_h_0", "om_h_1")


def test_backlog_rows_without_a_marked_reply_fall_back_to_text():
    rows = route_drain.backlog_rows([("oc_x", {"text": "no mark"})], 2)
    assert [MARK.search(r[3]["text"]).group(1) for r in rows] == ["0", "1"]


def test_steady_rate_skips_the_first_seconds_burst():
    burst = [0.0] * 50
    paced = [1.0 + i / 40 for i in range(400)]  # 40/s for 10 s after the burst
    rate, seconds = route_drain.steady_rate(burst + paced)
    assert seconds == 9 and abs(rate - 40) < 0.5
    assert route_drain.steady_rate([0.0, 0.5]) == (0.0, 0)


def test_cycle_rate_is_the_period_of_the_bursts_whatever_their_phase():
    bursts = [k * 1.04 + i / 1000 for k in range(20) for i in range(50)]  # 50 every 1.04 s
    assert abs(route_drain.cycle_rate(bursts) - 50 / 1.04) < 0.01
    assert route_drain.steady_rate(bursts)[0] == 50.0  # the whole seconds see 18 bursts in 18 s
    paced = [i / 40 for i in range(400)]
    assert abs(route_drain.cycle_rate(paced) - 40) < 0.01
    assert route_drain.cycle_rate(paced[:50]) == 0.0


def test_busiest_counts_the_fullest_second():
    assert route_drain.busiest([0.0] * 50 + [0.99, 1.0, 1.5]) == 51
    assert route_drain.busiest([0.0, 1.0, 2.0]) == 1


def _drain(rate: float, delivered: int = 1000, doubles: int = 0, busiest: int = 50) -> dict:
    return {"rate": rate, "queued": 1000, "delivered": delivered, "doubles": doubles, "busiest": busiest}


def test_backlog_lines_judge_the_rate_and_every_reply_arriving():
    met, miss = route_targets.backlog({"SQLite": _drain(48.0), "PostgreSQL": _drain(45.0)})
    assert met.startswith("  MET ") and "(SQLite)" in met and "0.960×" in met
    assert miss.startswith("  MISS") and "(PostgreSQL)" in miss
    lost = route_targets.backlog({"SQLite": _drain(49.0, delivered=990)})
    assert lost[0].startswith("  MISS") and lost[1].startswith("  NOTE") and "10 of 1,000 never arrived" in lost[1]


def test_mustdo_lines_judge_only_the_full_org():
    full = {"reps": 10_000, "seconds": 9.5, "queued": 9_900, "error": ""}
    lines = route_targets.mustdo({"SQLite": full, "PostgreSQL": {**full, "seconds": 12.0}})
    assert lines[0].startswith("  MET ") and lines[1].startswith("  MISS")
    quick = route_targets.mustdo({"SQLite": {**full, "reps": 1_000}})[0]
    assert quick.startswith("  --") and "judged only at 10,000" in quick
    failed = route_targets.mustdo({"SQLite": {"error": "OperationalError: boom"}})[0]
    assert failed.startswith("  MISS") and "boom" in failed


def test_while_backlogged_counts_arrivals_only_while_a_second_of_replies_waited():
    samples = [(0.0, 10), (1.0, 60), (2.0, 120), (3.0, 80), (4.0, 30), (5.0, 0)]
    arrivals = [i / 40 for i in range(200)]  # 40/s for 5 s
    rate, seconds = route_drain.while_backlogged(samples, arrivals)
    assert seconds == 2.0 and rate == 40.0
    assert route_drain.while_backlogged([(0.0, 10), (1.0, 20)], arrivals) == (0.0, 0.0)


def test_while_backlogged_stops_where_the_per_minute_cap_takes_over():
    samples = [(0.0, 500), (60.0, 500)]
    arrivals = [i / 50 for i in range(1000)] + [61.5 + i / 50 for i in range(100)]
    rate, seconds = route_drain.while_backlogged(samples, arrivals)
    assert abs(seconds - 19.98) < 1e-9 and abs(rate - 50) < 0.1


def test_floor_lines_add_the_ack_and_compare_with_what_twice_the_peer_leaves():
    [line] = route_targets.floor({"SQLite": {"db_us": 150.0, "render_us": 350.0}}, 0.2, 1_500.0)
    assert line.startswith("  NOTE  floor (SQLite): ack 200 + statements 150 + render 350 = 700 µs")
    assert "at most 1,429/s = 0.95× the peer; 2× leaves 333 µs" in line
