"""Route benchmark (issue 20): salesbot's real routes beside bare verify + decrypt and a nonebot2 peer, in one run.

    .venv/bin/python -m bench.route [--quick] [--pg URL|auto] [--no-peer] [--parts …]   # `make bench` runs it

Acks of distinct signed + encrypted events (interleaved rounds), end-to-end latency at fixed rates, the max
handled rate of `新建商机`, replies delivered from a backlog against Feishu's per-app cap, the whole `must_do` job
for 10k reps (SQLite, and PostgreSQL with --pg), ack latency under 2x overload with nothing acknowledged lost,
CPU per chatter event, start time and idle RSS — printed as ratios against the issue's targets.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import ClientSession

from bench import route_db as per_db
from bench import route_kit as kit
from bench import route_targets as targets
from bench.route_proc import (
    CONC,
    PORTS,
    REPS,
    ROOT,
    Salesbot,
    answers,
    cpu_seconds,
    ensure_peer,
    fake_replies,
    load,
    pct,
    ports_free,
    rss_mib,
    start,
    stop,
    url,
    wait_healthy,
)

WRK = shutil.which("wrk") is not None  # `apt-get install -y wrk`; else the aiohttp client on core 1
WRK_SECONDS = 3.0  # each wrk run; distinct requests are built for the fastest rate expected (see _count)
PEER_PATH = f"/feishu/{kit.FS_APP}"
PARTS = ("acks", "e2e", "handled", "floor", "mustdo", "overload", "start")
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PACKAGES = ("bot", "sales", "storage", "cards", "flows", "handlers", "scheduler")


def _new(run: str, i: int) -> str:
    return f"新建商机 华东客户{run}Q{i}Z"


SCENARIOS = [  # (label, server, request builder)
    ("bare aiohttp verify + decrypt (Feishu)", "bare", lambda r, i: kit.feishu(i, r, _new(r, i), True, i % REPS)),
    ("nonebot2 peer, @bot message (does nothing)", "peer", lambda r, i: kit.feishu(i, r, _new(r, i), True, i % REPS)),
    ("nonebot2 peer, chatter (does nothing)", "peer", lambda r, i: kit.feishu(i, r, "午饭吃什么", False, i % REPS)),
    ("salesbot Feishu, @bot 新建商机", "salesbot", lambda r, i: kit.feishu(i, r, _new(r, i), True, i % REPS)),
    ("salesbot Feishu, group chatter", "salesbot", lambda r, i: kit.feishu(i, r, "午饭吃什么", False, i % REPS)),
    ("salesbot WeCom robot, @bot 新建商机", "salesbot", lambda r, i: kit.wecom_robot(i, r, _new(r, i), i % REPS)),
    ("salesbot WeCom app, 新建商机", "salesbot", lambda r, i: kit.wecom_app(i, r, _new(r, i), i % REPS)),
    ("salesbot WeCom app, enter_agent event", "salesbot", lambda r, i: kit.wecom_app(i, r, None, i % REPS)),
    ("salesbot DingTalk robot, @bot 新建商机", "salesbot",
     lambda r, i: kit.dingtalk(i, r, _new(r, i), i % REPS, url("fake"))),
]


def _reqs(build, run: str, n: int, server: str) -> list:
    reqs = [build(run, i) for i in range(n)]
    if server == "peer":
        reqs = [(PEER_PATH, h, b) for _, h, b in reqs]
    return reqs


async def ack_round(rnd: int, args, tmp: Path, peer_pid: int | None, bare_pid: int) -> dict[str, dict]:
    """One interleaved round: every scenario once, salesbot on a fresh database each time."""
    out = {}
    for k, (label, server, build) in enumerate(SCENARIOS):
        if server == "peer" and peer_pid is None:
            continue
        run = f"a{rnd}s{k}"
        warm, reqs = _reqs(build, run + "w", 200, server), _reqs(build, run, _count(args, server), server)
        if server == "salesbot":
            async with Salesbot(tmp, None) as sb:
                load("closed", url("salesbot"), warm, CONC)
                await sb.settled()  # the warm-up handled and its replies sent: the timed part meets an idle server
                await sb.sent()
                out[label] = _measure(sb.proc.pid, url("salesbot"), reqs, tmp)
        else:
            load("closed", url(server), warm, CONC)
            out[label] = _measure(peer_pid if server == "peer" else bare_pid, url(server), reqs, tmp)
        r = out[label]
        print(f"  round {rnd + 1}: {label:<46} {r['rps']:>7.0f} req/s  p50 {r['p50']:.1f} / p99 {r['p99']:.1f} ms"
              f"  CPU {r['cpu_ms']:.2f} ms/req  non-200 {r['bad']}"
              + (f"  load generator busy {r['client']:.0%}" if r["client"] else ""), flush=True)
    return out


def _count(args, server: str) -> int:
    """Distinct requests to build: a fixed number for the aiohttp client, enough for WRK_SECONDS with wrk."""
    if not WRK or args.requests_given:
        return args.requests
    return 45_000 if server == "bare" else 30_000  # chatter acks reach 6,500/s: 12,000 ran out in 3 s


def _measure(pid: int, base: str, reqs: list, tmp: Path) -> dict:
    """Closed loop with wrk when installed (faster than any Python client), else the aiohttp client."""
    if WRK:
        cpu = cpu_seconds(pid)
        res = kit.wrk_closed(base, reqs, CONC, str(tmp), WRK_SECONDS)
        used = cpu_seconds(pid) - cpu
        if res["exhausted"]:
            print(f"  NOTE  wrk ran out of distinct requests ({len(reqs):,}): the rate is a lower bound")
        return {"rps": res["requests"] / res["wall"], "p50": res["p50"] * 1000, "p99": res["p99"] * 1000,
                "cpu_ms": used * 1000 / max(res["requests"], 1), "bad": res["bad"] + res["errors"],
                "client": 0.0}  # wrk's CPU includes loading the request file before its timed part: not comparable
    cpu = cpu_seconds(pid)
    res = load("closed", base, reqs, CONC)
    used = cpu_seconds(pid) - cpu
    return {"rps": len(reqs) / res["wall"], "p50": pct(res["lat"], 50), "p99": pct(res["lat"], 99),
            "cpu_ms": used * 1000 / len(reqs), "bad": sum(s != 200 for s in res["status"]),
            "client": res["cpu"] / res["wall"]}


def _handled_reqs(n: int) -> list:
    """n distinct Feishu @bot 新建商机 for the handled part, one chat each."""
    return _reqs(SCENARIOS[3][2], "h" + uuid_short(), n, "salesbot")


def uuid_short() -> str:
    """A short unique run tag."""
    return os.urandom(3).hex()


async def end_to_end(tmp: Path, rates: list[float], seconds: float) -> dict[float, tuple[float, float, int]]:
    """At each fixed rate, callback → reply at the fake API: (p50 ms, p99 ms, replies missing)."""
    out = {}
    async with Salesbot(tmp, None) as sb:
        await wait_healthy(url("salesbot"), "/healthz")
        for rate in rates:
            await fake_replies()
            reqs = _reqs(SCENARIOS[3][2], f"e{int(rate)}" + uuid_short(), int(rate * seconds), "salesbot")
            res = load("open", url("salesbot"), reqs, rate)
            deadline = time.monotonic() + 30
            got: dict[int, float] = {}
            while len(got) < len(reqs) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                got.update({i: t for t, i in await fake_replies()})
            lat = [got[i] - res["sent"][i] for i in got if i < len(reqs)]
            out[rate] = (pct(lat, 50), pct(lat, 99), len(reqs) - len(got))
        del sb
    return out


async def overload(tmp: Path, rate: float, seconds: float) -> dict:
    """Offer `rate` for `seconds` (open loop); ack latency, then wait until every acked event is handled."""
    async with Salesbot(tmp, None) as sb:
        reqs = _reqs(SCENARIOS[3][2], "o" + uuid_short(), int(rate * seconds), "salesbot")
        rss_before = rss_mib(sb.proc.pid)
        res = load("open", url("salesbot"), reqs, rate)
        acked = sum(s == 200 for s in res["status"])
        peak_backlog = await sb.metric("salesbot_inbox_backlog")
        rss_peak = rss_mib(sb.proc.pid, "VmHWM")  # the backlog is meant to wait in the database, not in memory
        deadline = time.monotonic() + max(120, seconds * 3)
        while await sb.metric("salesbot_events_handled_total") < acked and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        handled = await sb.metric("salesbot_events_handled_total")
        backlog = await sb.metric("salesbot_inbox_backlog")
    ok = [lat for lat, s in zip(res["lat"], res["status"], strict=True) if s == 200]
    return {"offered": len(reqs), "acked": acked, "p50": pct(ok, 50), "p99": pct(ok, 99), "max": pct(ok, 100),
            "handled": handled, "left": backlog, "peak_backlog": peak_backlog, "rss": (rss_before, rss_peak)}


async def start_and_rss(tmp: Path, runs: int = 3) -> tuple[float, float, float, float]:
    """Median serve → /healthz seconds over fresh starts, the server's CPU seconds to then, RSS after 3 s idle,
    and RSS 3 s after one event of each ack scenario (what a server that has answered anything holds)."""
    # An installed package has its bytecode; a checkout under PYTHONDONTWRITEBYTECODE=1 would compile our 380
    # modules again at every start (0.1–0.3 s of CPU here), and the figure would measure that setting, not the app.
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    routes = [(build, "salesbot") for _, server, build in SCENARIOS[3:] if server == "salesbot"]
    return await _medians(lambda: _salesbot_started(tmp), runs, routes, url("salesbot"))


async def peer_start_and_rss(peer_py: Path, runs: int = 3) -> tuple[float, float, float, float]:
    """The same for the nonebot2 peer (start → first answer): the issue's start-up baseline, on this box now."""
    return await _medians(lambda: _peer_started(peer_py), runs, [(SCENARIOS[1][2], "peer")], url("peer_start"))


async def _medians(started, runs: int, routes: list, base: str) -> tuple[float, float, float, float]:
    """Start a server `runs` times: medians of (seconds to its first answer, its CPU to then, its RSS 3 s later,
    its RSS 3 s after one event per route)."""
    figures = []
    for _ in range(runs):
        async with started() as (pid, seconds):
            cpu = cpu_seconds(pid)
            await asyncio.sleep(3)
            idle = rss_mib(pid)
            async with ClientSession() as session:
                for build, server in routes:
                    for path, headers, body in _reqs(build, "r" + uuid_short(), 1, server):
                        async with session.post(base + path, headers=headers, data=body) as resp:
                            await resp.read()
            await asyncio.sleep(3)
            figures.append((seconds, cpu, idle, rss_mib(pid)))
    seconds, cpu, rss, used = (statistics.median(column) for column in zip(*figures, strict=True))
    return seconds, cpu, rss, used


@contextlib.asynccontextmanager
async def _salesbot_started(tmp: Path) -> AsyncIterator[tuple[int, float]]:
    async with Salesbot(tmp, None) as sb:
        yield sb.proc.pid, sb.start_s


@contextlib.asynccontextmanager
async def _peer_started(peer_py: Path) -> AsyncIterator[tuple[int, float]]:
    started = time.monotonic()
    proc = subprocess.Popen([str(peer_py), str(ROOT / "bench/route_peer.py"), str(PORTS["peer_start"]), url("fake")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await wait_healthy(url("peer_start"), "/")
        yield proc.pid, time.monotonic() - started
    finally:
        stop(proc)


async def run(args) -> int:
    """Start the shared servers, run every part, print the figures and the targets."""
    print(f"bench.route — {time.strftime('%Y-%m-%d %H:%M:%S')} — load average at start "
          f"{os.getloadavg()[0]:.2f} (a shared machine: other engineers' jobs run on these cores)", flush=True)
    if args.pg == "auto":
        args.pg = LOCAL_PG if await answers(LOCAL_PG) else None
        print(f"PostgreSQL: {LOCAL_PG} " + ("answers: measured beside SQLite" if args.pg else
                                             "does not answer: SQLite only (--pg URL or BENCH_PG=URL to name one)"))
    ports_free()
    peer_py = None if args.no_peer or not {"acks", "start"} & args.parts else ensure_peer()
    procs = [start([sys.executable, "-m", "bench.route_kit", "fake", str(PORTS["fake"])])]
    procs.append(start([sys.executable, "-m", "bench.route_kit", "bare", str(PORTS["bare"])]))
    lines: list[str] = []
    try:
        await wait_healthy(url("fake"), "/_stats")  # the peer asks the fake API for its bot info at start-up
        await wait_healthy(url("bare"), "/feishu/events")
        if peer_py and "acks" in args.parts:
            procs.append(subprocess.Popen([str(peer_py), str(ROOT / "bench/route_peer.py"), str(PORTS["peer"]),
                                           url("fake")], cwd=ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            await wait_healthy(url("peer"), "/")
        await asyncio.sleep(1)
        with tempfile.TemporaryDirectory() as tmp:
            lines = await _parts(args, Path(tmp), procs, peer_py)
    finally:
        for p in procs:
            stop(p)
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")
    print("\n".join(lines))
    return 0 if all(line.startswith("  MET") for line in lines if line.startswith("  M")) else 1


async def _parts(args, tmp: Path, procs: list, peer_py: Path | None) -> list[str]:
    peer_pid = procs[2].pid if len(procs) > 2 else None
    rounds, ov, start_s, rss, peer = [], None, None, None, None
    if "acks" in args.parts:
        size = f"wrk for {WRK_SECONDS:g} s" if WRK else f"aiohttp client, {args.requests:,} requests"
        print(f"\n== acks: distinct signed + encrypted events, {CONC} connections, {args.rounds} interleaved "
              f"round(s); load generator on core 1: {size} per scenario")
        rounds = [await ack_round(r, args, tmp, peer_pid, procs[1].pid) for r in range(args.rounds)]
        _ack_table(rounds)
    if "e2e" in args.parts:
        print("\n== end to end (Feishu @bot 新建商机 → reply at the fake API)")
        for rate, (p50, p99, missing) in (await end_to_end(tmp, [10.0, 30.0], args.seconds / 2)).items():
            print(f"  {rate:.0f}/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms, replies missing {missing}")
    rates = await per_db.handled(args, tmp, _handled_reqs)
    drains = await per_db.backlog(args, tmp, rates) if "handled" in args.parts else {}
    floors = await per_db.floor(args) if "floor" in args.parts else {}
    musts = await per_db.mustdo(args) if "mustdo" in args.parts else {}
    if "overload" in args.parts:
        over_rate = max(2 * rates["SQLite"]["rate"], 10)
        print(f"\n== overload: {over_rate:.0f}/s offered (2x the SQLite max handled rate) for {args.overload:.0f} s")
        ov = await overload(tmp, over_rate, args.overload)
        print(f"  offered {ov['offered']:,}, acked {ov['acked']:,}; ack p50 {ov['p50']:.1f} ms, p99 {ov['p99']:.1f} "
              f"ms, max {ov['max']:.0f} ms; backlog at the end of the offer {ov['peak_backlog']:.0f}; "
              f"handled afterwards {ov['handled']:.0f}, left {ov['left']:.0f}; server RSS {ov['rss'][0]:.0f} MiB "
              f"before the offer, peak {ov['rss'][1]:.0f} MiB by its end")
    if "start" in args.parts:
        start_s, cpu, rss, used = await start_and_rss(tmp)
        print(f"\n== start: serve → /healthz {start_s:.2f} s, {cpu:.2f} s of the server's CPU (medians of 3); "
              f"idle RSS {rss:.0f} MiB, {used:.0f} MiB after one event of each of its "
              f"{sum(server == 'salesbot' for _, server, _ in SCENARIOS)} ack scenarios")
        if peer_py:
            peer = await peer_start_and_rss(peer_py)
            print(f"  nonebot2 peer (does nothing), side by side: start → first answer {peer[0]:.2f} s, "
                  f"{peer[1]:.2f} s of its CPU; idle RSS {peer[2]:.0f} MiB, {peer[3]:.0f} MiB after one event")
    return _targets(rounds, (rates, floors), drains, musts, ov, (start_s, rss, peer), peer_pid is not None)


def _ack_table(rounds: list[dict]) -> None:
    print("\n| scenario | req/s | p50 / p99 ms | server CPU ms/req | non-200 |\n|---|---:|---|---:|---:|")
    med = targets.median
    for label, *_ in SCENARIOS:
        if any(label in r for r in rounds):
            print(f"| {label} | {med(rounds, label, 'rps'):,.0f} | {med(rounds, label, 'p50'):.1f} / "
                  f"{med(rounds, label, 'p99'):.1f} | {med(rounds, label, 'cpu_ms'):.2f} | "
                  f"{sum(r[label]['bad'] for r in rounds if label in r)} |")


def _targets(rounds, handling, drains, musts, ov, started, peer: bool) -> list[str]:
    out = ["\n== targets (issue 20)"]
    if rounds:
        out += targets.acks(rounds, SCENARIOS[0][0], (SCENARIOS[3][0], SCENARIOS[4][0]))
    if ov is not None:
        out += targets.overload(ov)
    rates, floors = handling
    if rounds and peer:
        peer_rps = targets.median(rounds, SCENARIOS[1][0], "rps")
        out += targets.handled(rates, peer_rps)
        out += targets.floor(floors, targets.median(rounds, SCENARIOS[4][0], "cpu_ms"), peer_rps)
    out += targets.backlog(drains) + targets.mustdo(musts)
    if started[0] is not None:
        out += targets.start(*started)
    return out


def main() -> None:
    """Parse options and run."""
    p = argparse.ArgumentParser(prog="python -m bench.route", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="1 round, fewer requests, 15 s overload (~3 min)")
    p.add_argument("--pg", help="also measure on this PostgreSQL (throwaway schemas); `auto`: the local test database "
                                f"({LOCAL_PG}) when it answers, else SQLite only")
    p.add_argument("--no-peer", action="store_true", help="skip the nonebot2 peer (no package index at hand)")
    p.add_argument("--requests", type=int, help="requests per ack scenario (default 3,000; quick 1,000)")
    p.add_argument("--port-base", type=int, default=PORTS["salesbot"],
                   help="first of the four ports (default 8108, or $BENCH_PORT_BASE): another worktree's bench may "
                        "hold those")
    p.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    args = p.parse_args()
    args.parts = set(args.parts.split(","))
    if args.parts - set(PARTS):
        p.error(f"unknown part(s) {', '.join(sorted(args.parts - set(PARTS)))}; known: {', '.join(PARTS)}")
    PORTS.update({name: args.port_base + i for i, name in enumerate(PORTS)})
    args.rounds = 1 if args.quick else 3
    args.requests_given = bool(args.requests)
    args.requests = args.requests or (1000 if args.quick else 3000)
    args.seconds = 10 if args.quick else 20
    args.handled = 500 if args.quick else 2000
    args.overload = 15 if args.quick else 60
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
