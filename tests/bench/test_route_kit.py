"""bench.route's DingTalk callbacks: request i of a run is stamped base + i ms, so no two share a signature.

DingTalk signs only the timestamp: callbacks stamped in one millisecond share a signature, and salesbot lets
only a few bodies through per signature (bot/platforms/replay.py). The kit stamped `now - i % 1000`, which
repeated the warm-up's timestamps in the measured run: 224 of ~1,000 callbacks were refused. Real traffic
rarely shares a millisecond; the bench must not manufacture it.
"""

from __future__ import annotations

import pytest

from bench import route_kit

FROZEN = 1_765_000_000.0


@pytest.fixture(autouse=True)
def fresh_kit(monkeypatch):
    """A kit with no run stamped yet and a clock that stands still (the worst case) unless a test moves it."""
    monkeypatch.setattr(route_kit, "_BASES", {})
    monkeypatch.setattr(route_kit, "_END", [0])
    monkeypatch.setattr(route_kit.time, "time", lambda: FROZEN)


def _build(run: str, n: int) -> list[route_kit.Request]:
    return [route_kit.dingtalk(i, run, f"新建商机 华东客户{run}Q{i}Z", i % 50, "http://fake") for i in range(n)]


def test_warm_up_and_measured_callbacks_never_share_a_signature():
    bodies: dict[str, bytes] = {}
    for run, n in (("a0s8w", 200), ("a0s8", 1000)):
        for i, (_, headers, body) in enumerate(_build(run, n)):
            assert bodies.setdefault(headers["sign"], body) == body, (run, i)


def test_a_run_is_stamped_on_consecutive_real_milliseconds_from_when_it_is_built(monkeypatch):
    first = [int(h["timestamp"]) for _, h, _ in _build("w", 200)]
    assert first == list(range(int(FROZEN * 1000), int(FROZEN * 1000) + 200))
    monkeypatch.setattr(route_kit.time, "time", lambda: FROZEN + 60)  # a minute later: the next run starts now
    later = [int(h["timestamp"]) for _, h, _ in _build("m", 3)]
    assert later == [int(FROZEN * 1000) + 60_000 + i for i in range(3)]
    assert route_kit.stamp("w", 5) == first[5]  # a request rebuilt keeps its stamp (and its signature)


def test_a_run_that_would_leave_the_replay_window_is_refused_when_built():
    limit = route_kit.WINDOW_MS // 2
    assert route_kit.stamp("big", limit) == int(FROZEN * 1000) + limit
    with pytest.raises(RuntimeError, match="ahead"):
        route_kit.stamp("big", limit + 1)


def test_an_older_run_may_not_grow_into_a_newer_ones_milliseconds():
    route_kit.stamp("a", 9)
    route_kit.stamp("b", 0)
    with pytest.raises(RuntimeError, match="one run at a time"):
        route_kit.stamp("a", 10)
