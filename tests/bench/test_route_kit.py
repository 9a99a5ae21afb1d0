"""bench.route's DingTalk callbacks: every request of a run carries its own timestamp.

DingTalk signs only the timestamp and salesbot binds a signature to the first body it came with, so two
requests stamped in the same millisecond are a replay to the server (403). The kit stamped `now - i % 1000`,
which repeated the warm-up's timestamps in the measured run: 224 of ~1,000 callbacks were refused.
"""

from __future__ import annotations

from bench import route_kit


def test_warm_up_and_measured_callbacks_never_share_a_signature(monkeypatch):
    monkeypatch.setattr(route_kit.time, "time", lambda: 1_765_000_000.0)  # a frozen clock: the worst case
    bodies: dict[str, bytes] = {}
    for run, n in (("a0s8w", 200), ("a0s8", 1000)):
        for i in range(n):
            _, headers, body = route_kit.dingtalk(i, run, f"新建商机 华东客户{run}Q{i}Z", i % 50, "http://fake")
            assert bodies.setdefault(headers["sign"], body) == body, (run, i)
