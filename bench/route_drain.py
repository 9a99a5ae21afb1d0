"""bench.route's reply backlog: a fresh `salesbot serve` starts with BACKLOG Feishu replies already queued, each a
copy of a reply the `handled` part delivered, in its own chat (so the 5/s per-chat cap never binds) and with its
own Q<k>Z mark; the fake API's arrival times give the delivery rate while the backlog exists, judged against
Feishu's documented 50/s per app (/work/shared/platforms/feishu.md §2, bot/platforms/quotas.py).

1,000 is also Feishu's per-app cap per minute: a bigger backlog drains at 1000/min after its first 20 s, which
`bench.sender` judges on its own; this one is about the per-second cap.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from bench import route_kit as kit
from bench.route_proc import OUTBOX_LEFT, Salesbot, fake_replies

CAP = 50  # Feishu send/reply per app, per second
BACKLOG = 1000


def backlog_rows(templates: list[tuple[str, dict]], n: int) -> list[tuple[str, str, str, dict]]:
    """n (key, platform, target, payload) rows copied from delivered replies, each to its own chat and mark."""
    templates = [t for t in templates if kit.MARK.search(json.dumps(t[1], ensure_ascii=False))] or \
        [("oc_backlog", {"msg_type": "text", "text": "已记录商机 华东客户Q0Z"})]  # no reply to copy: a plain text
    rows = []
    for k in range(n):
        body = kit.MARK.sub(f"Q{k}Z", json.dumps(templates[k % len(templates)][1], ensure_ascii=False))
        payload = json.loads(body)
        key = f"bench-backlog-{k}"
        if "uuid" in payload:
            payload["uuid"] = key  # Feishu sends one uuid at most once an hour
        rows.append((key, "feishu", f"oc_backlog_{k}", payload))
    return rows


def steady_rate(times: list[float]) -> tuple[float, int]:
    """Sends per second over the whole seconds after the first (whose burst a sliding window allows), and
    how many whole seconds that is."""
    if len(times) < 2:
        return 0.0, 0
    start = times[0] + 1.0
    whole = int(times[-1] - start)
    if whole < 1:
        return 0.0, 0
    return sum(start <= t < start + whole for t in times) / whole, whole


def cycle_rate(times: list[float], cap: int = CAP) -> float:
    """The long-run rate a sliding cap allows as sent: `cap` ÷ the mean time from each arrival to the `cap`-th after
    it (how long a slot takes to come round). Counting whole seconds instead moves by a whole burst with the phase of
    the bursts against the second boundaries: bursts of 50 every 1.04 s count 18 in 18 s (50/s) or 17 (47.2/s)."""
    cycles = [later - earlier for earlier, later in zip(times, times[cap:], strict=False)]
    return cap * len(cycles) / sum(cycles) if cycles and sum(cycles) > 0 else 0.0


def while_backlogged(samples: list[tuple[float, float]], arrivals: list[float], floor: int = CAP,
                     budget: int = BACKLOG) -> tuple[float, float]:
    """Arrivals per second while the outbox held ≥ `floor` replies (sampled (time, waiting)), and for how long;
    cut at the `budget`-th arrival, after which Feishu's 1000/min per app binds instead of 50/s."""
    held = [t for t, waiting in samples if waiting >= floor]
    arrivals = sorted(arrivals)
    if len(held) < 2:
        return 0.0, 0.0
    start, end = held[0], min(held[-1], arrivals[budget - 1] if len(arrivals) >= budget else held[-1])
    if end <= start:
        return 0.0, 0.0
    return sum(start <= t < end for t in arrivals) / (end - start), end - start


def busiest(times: list[float], window: float = 1.0) -> int:
    """Most arrivals inside any `window`-second span (sorted times)."""
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


async def drain(tmp: Path, pg: str | None, templates: list[tuple[str, dict]], n: int = BACKLOG) -> dict:
    """Start a server with n replies queued; wait until all reached the fake API (or a deadline); the figures."""
    await fake_replies()  # clear what earlier parts left
    got: dict[int, float] = {}
    doubles = 0
    async with Salesbot(tmp, pg, backlog_rows(templates, n)) as sb:
        deadline = time.monotonic() + n / CAP * 3 + 30
        while len(got) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            for t, i in await fake_replies():
                doubles += i in got
                got.setdefault(i, t)
        settle = time.monotonic() + 5  # delivered rows are marked sent in batches (outbox flush_seconds)
        while (left := await sb.metric("salesbot_outbox_messages", OUTBOX_LEFT)) and time.monotonic() < settle:
            await asyncio.sleep(0.2)
    times = sorted(got.values())
    per_second, seconds = steady_rate(times)
    return {"queued": n, "delivered": len(got), "doubles": doubles, "left": left, "rate": cycle_rate(times),
            "per_second": per_second, "seconds": seconds,
            "span": times[-1] - times[0] if times else 0.0, "busiest": busiest(times)}
