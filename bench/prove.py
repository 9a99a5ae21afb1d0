"""`make prove`: two replicas on one PostgreSQL under load, kill -9, platform faults, a database restart.

    .venv/bin/python -m bench.prove [--quick]          (make prove / make prove QUICK=1)

Starts its own PostgreSQL cluster (bench/prove_pg.py; never the shared one), a fake Feishu open
platform (bench/prove_fakes.py) and two `salesbot serve` replicas on ports 8107 and 8117, then:
1. mixed load on both replicas, one killed with -9 and restarted mid-run, a job fired on both at once;
2. faults from the fake (5xx, 429 + 99991400, hangs, tokens expiring mid-batch) and PostgreSQL
   restarted under load;
3. kill -9 during a burst of 10,000 events (1,000 with --quick): time until every acknowledged event
   is handled after the restart, against the 2-minute inbox lease;
4. bench/prove_fuzz.py (100,000 cases), bench/prove_security.py, bench/prove_payloads.py `run()`, and a scan
   of the replicas' logs for secrets and full phone numbers.
Writes bench/results/prove-<date>.md: one line per check with tried / passed / failed.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench import prove_fuzz, prove_payloads, prove_security
from bench.prove_fakes import Faults, Platform
from bench.prove_load import (
    ROOT,
    Replica,
    cli,
    event,
    inbox_state,
    members_csv,
    outbox_busy,
    post_all,
    unhandled,
    wait_done,
    write_config,
)
from bench.prove_pg import Cluster
from bench.sender import busiest
from storage.db import Database
from tests.fakes.feishu import APP_SECRET

PORTS = (8107, 8117)
LEASE = 120.0  # the inbox's claim lease (storage/repos/inbox.py): the bound for "handled after a restart"
Row = tuple[str, int, int, int, str]


def _exactly_once(label: str, acked: set[str], platform: Platform, states: dict[str, str], why: str = "") -> list[Row]:
    handled = sum(1 for s in states.values() if s == "done")
    delivered = Counter(m["reply_to"] for m in platform.fake.messages if m["op"] == "reply")
    once = sum(1 for m in acked if delivered[m] == 1)
    repeated = sum(1 for m in acked if platform.replies[m] > 1)
    failed = [s for s in states.values() if s != "done"]
    return [(f"{label}: acknowledged events handled", len(acked), handled, len(acked) - handled,
             f"not handled: {dict(Counter(failed))}; {why}" if failed else ""),
            (f"{label}: replies delivered exactly once", len(acked), once, len(acked) - once,
             f"{sum(1 for m in acked if delivered[m] > 1)} delivered twice; {repeated} requests repeated after a "
             "crash between send and mark (Feishu answers a repeated uuid from its cache: delivered once)")]


def _caps(label: str, platform: Platform) -> list[Row]:
    over = [t for t, times in platform.sends.items() if busiest(sorted(times), 1.0) > 5]
    app = busiest(sorted(platform.app_sends), 1.0)
    return [(f"{label}: Feishu 5/s per chat never exceeded (chats)", len(platform.sends),
             len(platform.sends) - len(over), len(over), ""),
            (f"{label}: Feishu 50/s per app never exceeded (busiest second)", 1, int(app <= 50), int(app > 50),
             f"busiest second {app}")]


def _sending_time(replies: int) -> float:
    """Seconds Feishu's 1000 a minute per app needs for this many replies (the sender holds that cap)."""
    return replies / 1000 * 61.5


def _events(n: int, tag: str, chatter: bool = False) -> list[tuple[str, dict]]:
    if chatter:  # group talk not addressed to the bot: acknowledged and stored, nothing to answer
        return [event(i, f"oc_g{i % 20}", f"ou_prove_{i % 50}", f"今天下午开会 {i}", "group", tag) for i in range(n)]
    return [event(i, f"oc_p{i % 50}", f"ou_prove_{i % 50}", "帮助", "p2p", tag) for i in range(n)]


async def mixed(n: int, a: Replica, b: Replica, db: Database, platform: Platform, cfg: Path) -> list[Row]:
    """Both replicas take callbacks; B is killed -9 a third in and restarted; a job fires on both at once."""
    events = _events(n, "m")
    third = n // 3
    acked, _ = await post_all(list(PORTS), events[:third])
    b.kill()
    more, _ = await post_all([a.port], events[third:2 * third])
    b.start()
    await b.ready()
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    jobs = asyncio.gather(*(asyncio.to_thread(cli, cfg, "run-job", "must_do", "--at", at) for _ in range(2)))
    rest, _ = await post_all(list(PORTS), events[2 * third:])
    runs = await jobs
    acked |= more | rest
    took = await wait_done(db, acked, LEASE + 30 + _sending_time(len(acked)))
    ran = sum("done" in r.stdout for r in runs)
    rows = _exactly_once("replicas + kill -9", acked, platform, await inbox_state(db, acked),
                         await unhandled(db, acked))
    rows.append(("replicas + kill -9: a job fired on both replicas ran once", 2, 2 if ran == 1 else 0,
                 0 if ran == 1 else 2, "; ".join(r.stdout.strip()[:80] for r in runs)))
    return rows + _caps("replicas + kill -9", platform) + await _drained("replicas + kill -9", db, took)


async def _drained(label: str, db: Database, took: float | None) -> list[Row]:
    """The outbox emptied by itself (no replica restarted), and how long the whole run took to settle."""
    busy = await outbox_busy(db)
    note = f"settled in {took:.1f} s" if took is not None else "inbox rows still unhandled (see above)"
    return [(f"{label}: outbox drained without restarting a replica", 1, int(busy == 0), int(busy > 0),
             f"{busy} rows still to send; {note}")]


async def faults(n: int, db: Database, platform: Platform, pg: Cluster) -> list[Row]:
    """5xx, 429, hangs and token expiry from the platform; PostgreSQL restarted halfway."""
    platform.replies.clear()
    platform.faults = Faults(server_error=0.05, throttle=0.05, hang=0.02, token_every=37)
    events = _events(n, "f")
    acked, refused = await post_all(list(PORTS), events[: n // 2])
    away = await asyncio.to_thread(pg.restart)
    more, refused2 = await post_all(list(PORTS), events[n // 2:])
    acked |= more
    await asyncio.sleep(10)  # the faults keep playing on the retries for a while
    counts, platform.faults = dict(platform.faults.counts), Faults()
    took = await wait_done(db, acked, LEASE + 60 + _sending_time(len(acked)))
    note = f"faults {counts}; PostgreSQL away {away:.1f} s; {refused + refused2} posts not acknowledged"
    rows = _exactly_once("faults + PostgreSQL restart", acked, platform, await inbox_state(db, acked),
                         await unhandled(db, acked))
    rows += _caps("faults + PostgreSQL restart (all sends so far)", platform)
    rows += await _drained("faults + PostgreSQL restart", db, took)
    rows.append(("faults + PostgreSQL restart: faults played", sum(counts.values()), sum(counts.values()), 0, note))
    return rows


async def burst(n: int, a: Replica, b: Replica, db: Database) -> list[Row]:
    """kill -9 in the middle of a burst; count the acknowledged events handled within one lease after restart."""
    events = _events(n, "b", chatter=True)
    half = n // 2
    acked, _ = await post_all(list(PORTS), events[:half], concurrency=16)
    a.kill()
    more, _ = await post_all([b.port], events[half:], concurrency=16)
    acked |= more
    a.start()
    await a.ready()
    took = await wait_done(db, acked, LEASE)
    states = await inbox_state(db, acked)
    done = sum(1 for s in states.values() if s == "done")
    note = f"all handled {took:.1f} s after the restart" if took is not None else (
        f"{len(acked) - done} still unhandled {LEASE:g} s after the restart (a running lease sweeper is the speed "
        "branch's; this build replays only at start-up)")
    return [(f"kill -9 during a {n}-event burst: handled within one lease after restart", len(acked), done,
             len(acked) - done, note)]


async def suites(quick: bool, logs: list[Path]) -> list[Row]:
    """The fuzz run, the security matrix, the recorded-payload replay, and a scan of the replicas' logs."""
    rows: list[Row] = []
    runs = ((prove_fuzz.run, 10_000 if quick else 100_000, "fuzz"), (prove_security.run, 0, "security"),
            (prove_payloads.run, 0, "payloads"))
    for fn, cases, label in runs:
        # Each suite runs its own event loop, so it runs in a thread beside this one.
        found = await asyncio.to_thread(fn, cases)
        rows += [(f"{label}: {name}", tried, passed, failed, "") for name, tried, passed, failed in found]
    text = "\n".join(p.read_text("utf-8", "replace") for p in logs if p.exists())
    scanned, bad = prove_security.scan_logs(text, [*prove_security.SECRETS, APP_SECRET])
    rows.append(("replica logs: no secrets or full phone numbers", scanned, scanned - len(bad), len(bad),
                 "; ".join(bad[:3])))
    return rows


def report(rows: list[Row], quick: bool, seconds: float) -> Path:
    """Write bench/results/prove-<date>[-quick].md."""
    day = datetime.now(UTC).date().isoformat()
    path = ROOT / "bench" / "results" / f"prove-{day}{'-quick' if quick else ''}.md"
    lines = [f"# make prove{' (quick)' if quick else ''} — {day}, {seconds:.0f} s", "",
             "| check | tried | passed | failed | note |", "|---|---:|---:|---:|---|"]
    lines += [f"| {c} | {t} | {p} | {f} | {n} |" for c, t, p, f, n in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


async def main(quick: bool) -> int:
    """Run every phase; return 1 when any check failed."""
    started, work = time.monotonic(), Path(tempfile.mkdtemp(prefix="salesbot-prove-"))
    pg, platform = Cluster(), Platform()
    replicas: list[Replica] = []
    try:
        await asyncio.to_thread(pg.start)
        base = await platform.start(0)
        cfgs = [write_config(work / f"replica{p}.toml", p, pg.url, base) for p in PORTS]
        for args in (("db", "upgrade"), ("import", "members", str(members_csv(work / "members.csv", 50)))):
            out = cli(cfgs[0], *args)
            assert out.returncode == 0, out.stderr
        replicas = [Replica(c, p, work / f"replica{p}.log") for c, p in zip(cfgs, PORTS, strict=True)]
        for r in replicas:
            r.start()
        await asyncio.gather(*(r.ready() for r in replicas))
        db = Database(pg.url)
        rows = await mixed(300 if quick else 3000, *replicas, db, platform, cfgs[0])
        rows += await faults(200 if quick else 1500, db, platform, pg)
        rows += await burst(1000 if quick else 10000, *replicas, db)
        await db.close()
        sent = [m for m in platform.fake.messages if m["op"] in ("create", "reply")]
        rows.append(("every push and reply delivered once (distinct uuids at the platform)", len(sent), len(sent), 0,
                     f"{platform.fake.duplicates} repeated requests answered from Feishu's uuid cache"))
        rows += await suites(quick, [r.log for r in replicas])
    finally:
        for r in replicas:
            r.stop()
        await platform.stop()
        await asyncio.to_thread(pg.stop)
    path = report(rows, quick, time.monotonic() - started)
    print(path.read_text("utf-8"))
    print(f"written to {path.relative_to(ROOT)}; replica logs in {work}")
    return int(any(f for _, _, _, f, _ in rows))


async def _guarded(quick: bool) -> int:
    """Run main; SIGTERM/SIGINT cancel it so the replicas and the cluster are still stopped."""
    task = asyncio.current_task()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, task.cancel)
    return await main(quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller loads (about 3 minutes)")
    raise SystemExit(asyncio.run(_guarded(parser.parse_args().quick)))
