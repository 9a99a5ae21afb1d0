"""Sender benchmark: reply rate against each platform's cap with a backlog, and double sends with two replicas.

    .venv/bin/python -m bench.sender [--quick] [--pg URL]

Rates: one sender per platform lane against in-process fake platforms answering in 20 ms, each with a
backlog queued up front; for each cap the busiest window's sends are compared with the cap (target
≥ 0.95×, and never over 1.00×). Double sends: 100 replies to 40 chats, two replicas, a platform that
answers in 1.5 s of scaled time (lease and latency scaled by 1/10 so the run takes seconds): first the
old sender (a 50-row claim sent one by one under one lease, no fence), then today's lanes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import text, update

from bench.route_drain import cycle_rate
from bot.config import OutboxConfig
from bot.core.clock import SystemClock
from bot.metrics import Metrics
from bot.platforms import quotas
from bot.sender import Sender
from storage.db import Database
from storage.migrate import upgrade
from storage.repos import outbox, outbox_claims

SCALE = 0.1  # double-send run: 1.5 s answers, the old 60 s lease and 30 s start gap, all scaled by this
logging.getLogger("salesbot.sender").setLevel(logging.ERROR)  # phases leave rows behind; no noise


class Fake:
    """A platform answering after `latency` seconds; records (time, key) of every delivery."""

    per_minute = None

    def __init__(self, latency: float) -> None:
        self.latency, self.log = latency, []

    async def send(self, target: str, payload: dict) -> None:
        self.log.append((time.monotonic(), payload["key"]))  # when the request reaches the platform
        await asyncio.sleep(self.latency)


def busiest(times: list[float], window: float) -> int:
    """Most sends inside any `window`-second span."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _fresh_db(pg: str | None) -> tuple[Database, str | None]:
    if not pg:
        return Database(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"), None
    schema = "b_" + uuid.uuid4().hex[:8]
    admin = Database(pg)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    await admin.close()
    return Database(f"{pg}?options=-csearch_path%3D{schema}"), schema


async def _queue(db: Database, platform: str, rows: list[tuple[str, str, dict]]) -> None:
    now = SystemClock().now()
    await outbox.enqueue_many_raw(db, [(k, platform, t, {"key": k, **p}) for k, t, p in rows], now)


async def _run(pg: str | None, backlog: dict[str, list[tuple[str, str, dict]]], seconds: float) -> dict[str, Fake]:
    """On a fresh database, queue each platform's backlog, run one sender for `seconds`, return the fakes."""
    db, _ = await _fresh_db(pg)
    await upgrade(db)
    fakes = {}
    for platform, rows in backlog.items():
        await _queue(db, platform, rows)
        fakes[platform] = Fake(0.02)
        fakes[platform].app_key = platform  # each bench platform is its own app
        quotas.QUOTAS.setdefault(platform, quotas.QUOTAS[platform.split("_")[0]])
    cfg = OutboxConfig(concurrency=64, claim_per_target=2, per_target_per_minute=0)
    sender = Sender(db, SystemClock(), fakes, cfg, Metrics())
    sender.start()
    await asyncio.sleep(seconds)
    await sender.stop()
    await db.close()
    return fakes


def _times(fake: Fake, prefix: str = "") -> list[float]:
    return sorted(t for t, k in fake.log if k.startswith(prefix))


async def second_caps(db: str | None) -> list[tuple[str, int, float, int, float]]:
    """Per-second caps, each platform alone for 8 s: (cap, limit, window, busiest window, sustained per window)."""
    out = []
    runs = [("Feishu per app, 50/s", 50, "feishu_s", [(f"fs{i}", f"oc_{i % 100}", {}) for i in range(400)], ""),
            ("Feishu per chat, 5/s", 5, "feishu_c", [(f"fc{i}", "oc_one", {}) for i in range(60)], ""),
            ("DingTalk per app, 20/s", 20, "dingtalk_s", [(f"ds{i}", f"group:c{i % 40}", {}) for i in range(200)], "")]
    for name, cap, platform, rows, prefix in runs:
        fakes = await _run(db, {platform: rows}, 8.0)
        times = _times(fakes[platform], prefix)
        # how long a slot takes to come round: a count over whole seconds moves by a whole burst with its phase
        out.append((name, cap, 1.0, busiest(times, 1.0), cycle_rate(times, cap)))
    return out


async def minute_caps(db: str | None, seconds: float) -> list[tuple[str, int, float, int, float]]:
    """Per-minute caps together for `seconds` (≥ 60 to judge them): the busiest minute's sends."""
    member = [(f"m{i}", "dm:zhang", {"kind": "app", "touser": "zhang"}) for i in range(40)]
    corp = [(f"w{i}", f"dm:u{i % 120}", {"kind": "app", "touser": f"u{i % 120}"}) for i in range(2200)]
    fakes = await _run(db, {"feishu_m": [(f"fm{i}", f"oc_{i % 100}", {}) for i in range(1100)],
                            "wecom_m": corp, "wecom_z": member}, seconds)  # zhang in another app: its own corp cap
    w = min(seconds, 60.0)
    rows = [("Feishu per app, 1000/min", 1000, _times(fakes["feishu_m"])),
            ("WeCom per member, 30/min", 30, _times(fakes["wecom_z"], "m")),
            ("WeCom message/send per corp, 2000/min", 2000, _times(fakes["wecom_m"]))]
    return [(name, cap, 60.0, busiest(times, w), busiest(times, w) / w * 60.0) for name, cap, times in rows]


async def legacy_pass(db: Database, api: Fake, lease: timedelta) -> None:
    """The sender before the fix: claim 50 rows under one lease, send them one by one, mark unfenced."""
    rows = await outbox_claims.claim_due(db, SystemClock().now(), 50, lease, per_target=50)
    for row in rows:
        await api.send(row.target, row.payload)
        async with db.engine.begin() as conn:
            await conn.execute(update(outbox.T).where(outbox.T.c.id == row.id).values(status="sent"))


async def doubles(db_factory, legacy: bool) -> tuple[int, int]:
    """100 replies, two replicas, answers in 1.5 s (scaled); return (deliveries, sent twice)."""
    db, _schema = await db_factory()
    await upgrade(db)
    api = Fake(1.5 * SCALE)
    await _queue(db, "slow", [(f"r{i}", f"chat{i % 40}", {}) for i in range(100)])
    lease = timedelta(seconds=60 * SCALE)

    async def later(coro, delay: float):
        await asyncio.sleep(delay)  # the second replica starts 30 s (scaled) after the first
        return await coro

    if legacy:
        async def replica() -> None:
            while set(await outbox.counts(db)) - {"sent"}:
                await legacy_pass(db, api, lease)
                await asyncio.sleep(0.5 * SCALE)
        await asyncio.wait_for(asyncio.gather(replica(), later(replica(), 30 * SCALE)), 120)
    else:
        cfg = OutboxConfig(lease_seconds=30 * SCALE, send_timeout_seconds=15 * SCALE, per_target_per_minute=0,
                           poll_seconds=0.5 * SCALE)  # today's defaults, scaled like the platform
        senders = [Sender(db, SystemClock(), {"slow": api}, cfg, Metrics()) for _ in range(2)]
        senders[0].start()
        await asyncio.sleep(30 * SCALE)
        senders[1].start()
        while (await outbox.counts(db)).get("sent", 0) < 100:
            await asyncio.sleep(0.1)
        for s in senders:
            await s.stop()
    await db.close()
    keys = Counter(k for _, k in api.log)
    return sum(keys.values()), sum(1 for n in keys.values() if n > 1)


async def main(quick: bool, pg: str | None) -> None:
    """Print the figures."""
    seconds = 20.0 if quick else 65.0
    print(f"sender rates with a backlog ({'PostgreSQL' if pg else 'SQLite'}; minute caps over {seconds:g} s)")
    print(f"{'cap':40} {'cap/window':>11} {'busiest':>8} {'over?':>6} {'rate':>8} {'ratio':>6}  target ≥ 0.95")
    figures = await second_caps(pg) + await minute_caps(pg, seconds)
    for name, cap, window, most, rate in figures:
        over = "OVER" if most > cap else "never"
        judged = window <= seconds  # a quick run is shorter than a minute window: its rate is partial
        ratio = f"{rate / cap:6.2f}" if judged else "  n/a "
        verdict = ("ok" if rate / cap >= 0.95 else "low") if judged else "(run ≥ 60 s to judge)"
        print(f"{name:40} {cap:>6}/{window:<4g} {most:>8} {over:>6} {rate:>8.1f} {ratio}  {verdict}")
    for legacy in (True, False):
        sent, twice = await doubles(lambda: _fresh_db(pg), legacy)
        label = "old sender (50-row claim, one lease)" if legacy else "lanes (fenced lease, renewed)"
        print(f"double sends, two replicas, 100 replies, {label}: {twice} sent twice ({sent} deliveries)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 20 s rate run (the per-minute caps are then partial)")
    parser.add_argument("--pg", help="PostgreSQL URL of a scratch database (a throwaway schema is created)")
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.pg))
