"""bench.route's parts measured per database (SQLite, and PostgreSQL with --pg): the max handled rate, the
reply backlog's delivery rate, and the whole `must_do` job; each prints its figures and returns them by database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from bench.route_drain import BACKLOG, CAP, OUTBOX_LEFT, drain, while_backlogged
from bench.route_proc import CONC, Salesbot, child_json, fake_replies, load, sample, url
from bench.route_targets import TARGET_REPS

Build = Callable[[int], list]  # n → n distinct signed Feishu @bot 新建商机 callbacks, one chat each


def dbs(args) -> list[tuple[str, str | None]]:
    """The databases a part runs on: SQLite, and PostgreSQL with --pg."""
    return [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])


async def handled_rate(tmp: Path, pg: str | None, reqs: list) -> dict:
    """Offer the requests as fast as acks go: handled per second, the outbox's backlog sampled meanwhile (and
    until it drains, ≤ 20 s more), replies delivered while it held ≥ 50, some delivered replies to copy."""
    async with Salesbot(tmp, pg) as sb:
        await fake_replies()
        started = time.monotonic()
        res = load("closed", url("salesbot"), reqs, CONC)
        acked, samples, handled_at = sum(s == 200 for s in res["status"]), [], 0.0
        while (now := time.monotonic()) - started < 600:
            body = await sb.scrape()
            samples.append((now, waiting := sample(body, "salesbot_outbox_messages", OUTBOX_LEFT)))
            if not handled_at and sample(body, "salesbot_events_handled_total") >= acked:
                handled_at = now
            if handled_at and (not waiting or now - handled_at > 20):
                break
            await asyncio.sleep(0.2)
        replies = await fake_replies()
        templates = await sb.sent_rows("feishu", 20)
    rate, seconds = while_backlogged(samples, [t for t, _ in replies])
    return {"rate": acked / ((handled_at or time.monotonic()) - started), "peak": max(w for _, w in samples),
            "delivered": rate, "backlogged_s": seconds, "templates": templates}


async def handled(args, tmp: Path, build: Build) -> dict[str, dict]:
    """The max handled rate: SQLite (overload offers twice it), PostgreSQL too with `handled` and --pg."""
    if "handled" not in args.parts and "overload" not in args.parts:
        return {}
    print("\n== max handled rate, 新建商机 with its reply queued (one chat each)")
    rates = {}
    for db, pg in dbs(args) if "handled" in args.parts else dbs(args)[:1]:
        rates[db] = r = await handled_rate(tmp, pg, build(args.handled))
        meanwhile = (f"replies delivered while ≥ {CAP} waited in the outbox {r['delivered']:.1f}/s over "
                     f"{r['backlogged_s']:.1f} s = {r['delivered'] / CAP:.2f}× the cap, beside the handling"
                     if r["backlogged_s"] else f"the outbox never held {CAP} replies")
        print(f"  {db}: {r['rate']:.0f} handled/s; outbox backlog peak {r['peak']:.0f}; {meanwhile}", flush=True)
    return rates


async def backlog(args, tmp: Path, rates: dict[str, dict]) -> dict[str, dict]:
    """A fresh server per database starting with BACKLOG replies queued (copies of the handled run's)."""
    print(f"\n== reply backlog: a fresh server starts with {BACKLOG:,} Feishu replies queued (copies of the ones "
          "above, one chat each); delivery rate at the fake API: 50 ÷ the mean time from each arrival to the 50th "
          "after it")
    drains = {}
    for db, pg in dbs(args):
        drains[db] = d = await drain(tmp, pg, rates[db]["templates"])
        print(f"  {db}: {d['delivered']:,} of {d['queued']:,} delivered in {d['span']:.1f} s; {d['rate']:.2f}/s as "
              f"a slot comes round ({d['per_second']:.1f}/s counted over {d['seconds']} whole seconds); busiest second "
              f"{d['busiest']}; sent twice {d['doubles']}; "
              f"left in the outbox {d['left']:.0f}", flush=True)
    return drains


async def mustdo(args) -> dict[str, dict]:
    """The whole must_do job in a child process per database; 1,000 reps with --quick."""
    scale = 10 if args.quick else 1
    print(f"\n== mustdo: the whole must_do job for {TARGET_REPS // scale:,} reps over {1_000_000 // scale:,} leads "
          "(bench.pushes's org; a child process per database)")
    musts = {}
    for db, pg in dbs(args):
        musts[db] = m = await child_json("bench.route_mustdo", "--scale", str(scale), *(["--pg", pg] if pg else []))
        print(f"  {db}: " + (f"failed: {m['error']}" if m.get("error") else
                             f"{m['seconds']:.2f} s ({m['summary']}); org filled in {m['fill_s']:.1f} s; "
                             f"child peak RSS {m['peak_rss_mib']:.0f} MiB"), flush=True)
    return musts


async def floor(args) -> dict[str, dict]:
    """The floor under the handled rate (bench/route_floor.py) in a child process, per database."""
    print("\n== floor: 新建商机 rebuilt for speed alone — Core statements batched over 50 events and the real Feishu "
          "render, no ORM or dispatcher (bench/route_floor.py, on the servers' core)")
    out = await child_json("bench.route_floor", *(["--pg", args.pg] if args.pg else []))
    if out.get("error"):
        print(f"  failed: {out['error']}")
        return {}
    for db, f in out.items():
        print(f"  {db}: {f['db_us'] + f['render_us']:.0f} µs CPU per event = statements {f['db_us']:.0f} + "
              f"render {f['render_us']:.0f}", flush=True)
    return out
