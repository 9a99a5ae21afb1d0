"""Ingest benchmark: a signed, encrypted WeCom callback through verify -> decrypt -> inbox -> ack.

Serves two otherwise identical aiohttp apps on 127.0.0.1 — BARE (verify + decrypt + 200) and INBOX
(the same, then InboxWriter.put on a fresh migrated database) — each in its own process pinned to one
core, and loads them from a client process pinned to the other core. Target: INBOX >= 0.5 x BARE.

    .venv/bin/python -m bench.ingest [--quick] [--requests N] [--rounds N] [--pg URL] [--profile]

See bench/README.md for what each column means and today's numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import multiprocessing as mp
import os
import platform
import pstats
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import ClientSession, DummyCookieJar, TCPConnector, web
from sqlalchemy import text
from yarl import URL

from bot.core.clock import SystemClock
from bot.core.errors import BadRequest
from bot.platforms.wecom.extras import safexml
from bot.platforms.wecom.extras.crypto import WecomCrypto
from storage.db import Database
from storage.migrate import upgrade
from storage.repos.inbox import InboxWriter, counts

TOKEN, KEY, CORP, AGENT = "benchToken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "ww1234567890abcdef", "1000002"
TARGET = 0.5
PHASE_TIMEOUT = 300  # seconds; a run that takes longer is broken, not slow
HEADERS = {"Content-Type": "text/xml"}
Finish = Callable[[], Awaitable[int]]


# --- requests (built before timing) -----------------------------------------------------------------

def callback(crypto: WecomCrypto, msgid: int, now: int) -> tuple[str, bytes]:
    """Build one signed, encrypted app callback: (path with query, XML envelope)."""
    plain = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[rep{msgid % 97}]]>"
             f"</FromUserName><CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
             f"<Content><![CDATA[跟进 客户{msgid % 1000} 预算 50-80 万，下周二前发报价]]></Content>"
             f"<MsgId>{msgid}</MsgId><AgentID>{AGENT}</AgentID></xml>")
    nonce = str(random.randrange(10**8, 10**9))
    sealed = crypto.encrypt(plain.encode("utf-8"), nonce, str(now))
    body = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt>"
            f"<AgentID><![CDATA[{AGENT}]]></AgentID></xml>")
    query = f"msg_signature={sealed['MsgSignature']}&timestamp={now}&nonce={nonce}"
    return f"/wecom/app?{query}", body.encode("utf-8")


def make_requests(count: int, first_id: int) -> list[tuple[str, bytes]]:
    """Build `count` callbacks with distinct MsgIds starting at first_id."""
    crypto, now = WecomCrypto(TOKEN, KEY, CORP), int(time.time())
    return [callback(crypto, first_id + i, now) for i in range(count)]


# --- server process -----------------------------------------------------------------------------------

async def open_callback(request: web.Request, crypto: WecomCrypto) -> bytes:
    """Verify and decrypt an app callback, parsing the envelope as the real adapter does (safexml)."""
    q = request.query
    encrypt = safexml.parse(await request.read(), "callback body").findtext("Encrypt") or ""
    return crypto.open(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), encrypt,
                       now=int(time.time()))


def bare_handler(crypto: WecomCrypto) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Return a handler that verifies, decrypts and acks — no storage."""
    async def handle(request: web.Request) -> web.Response:
        try:
            await open_callback(request, crypto)
        except BadRequest as exc:
            return web.Response(status=exc.status, text=exc.reason)
        return web.Response()
    return handle


def inbox_handler(crypto: WecomCrypto, writer: InboxWriter) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Return a handler that verifies, decrypts, stores the event in the inbox, then acks."""
    async def handle(request: web.Request) -> web.Response:
        try:
            plain = await open_callback(request, crypto)
            msgid = safexml.fields(safexml.parse(plain, "decrypted message")).get("MsgId")
        except BadRequest as exc:
            return web.Response(status=exc.status, text=exc.reason)
        await writer.put("wecom", f"msg:{msgid}", "message", {"raw": plain.decode("utf-8")})
        return web.Response()
    return handle


async def build_app(kind: str, db_url: str) -> tuple[web.Application, Finish]:
    """Build the BARE or INBOX app and a coroutine that flushes and returns the inbox row count."""
    crypto, app = WecomCrypto(TOKEN, KEY, CORP), web.Application(client_max_size=64 * 1024)
    if kind == "bare":
        app.router.add_post("/wecom/app", bare_handler(crypto))
        return app, _zero
    db = Database(db_url)
    await upgrade(db)
    writer = InboxWriter(db, SystemClock())
    writer.start()
    app.router.add_post("/wecom/app", inbox_handler(crypto, writer))

    async def finish() -> int:
        await writer.stop()
        rows = sum((await counts(db)).values())
        await db.close()
        return rows
    return app, finish


async def _zero() -> int:
    return 0


def pin(cpu: int) -> None:
    """Pin this process to one core where the OS allows it."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {cpu})


def serve(kind: str, db_url: str, conn, cpu: int, profile: bool) -> None:
    """Server process: serve the app until told to stop; answer CPU samples; report rows."""
    pin(cpu)
    asyncio.run(_serve(kind, db_url, conn, profile))


async def _serve(kind: str, db_url: str, conn, profile: bool) -> None:
    app, finish = await build_app(kind, db_url)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    conn.send(runner.addresses[0][1])
    prof = cProfile.Profile() if profile else None
    while (cmd := await asyncio.to_thread(conn.recv)) != "stop":
        if prof:
            prof.enable() if cmd == "mark" else prof.disable()
        conn.send((time.process_time(), time.thread_time()))
    rows = await finish()
    await runner.cleanup()
    conn.send({"rows": rows, "profile": _profile_text(prof) if prof else ""})


def _profile_text(prof: cProfile.Profile, top: int = 30) -> str:
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --- client process -----------------------------------------------------------------------------------

def load(port: int, warm: list, timed: list, concurrency: int, conn, cpu: int) -> None:
    """Client process: warm up, wait for "go", then fire the timed requests and report."""
    pin(cpu)
    conn.send(asyncio.run(_load(port, warm, timed, concurrency, conn)))


async def _load(port: int, warm: list, timed: list, concurrency: int, conn) -> dict:
    base = f"http://127.0.0.1:{port}"
    warm_urls = [(URL(base + path, encoded=True), body) for path, body in warm]
    timed_urls = [(URL(base + path, encoded=True), body) for path, body in timed]
    session = ClientSession(connector=TCPConnector(limit=concurrency), cookie_jar=DummyCookieJar(),
                            auto_decompress=False)
    async with session:
        errors = await fire(session, warm_urls, concurrency)
        conn.send("warm")
        await asyncio.to_thread(conn.recv)
        t0, c0 = time.perf_counter(), time.process_time()
        errors += await fire(session, timed_urls, concurrency)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"elapsed": elapsed, "errors": errors, "client_cpu": cpu}


async def fire(session: ClientSession, reqs: list[tuple[URL, bytes]], concurrency: int) -> int:
    """Send every request over `concurrency` keep-alive connections; return the count of non-200s."""
    pending, errors = iter(reqs), 0

    async def worker() -> None:
        nonlocal errors
        for url, body in pending:
            async with session.post(url, data=body, headers=HEADERS) as resp:
                await resp.read()
                errors += resp.status != 200
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return errors


# --- orchestration ------------------------------------------------------------------------------------

@dataclass
class Result:
    """One scenario's measurements."""

    name: str
    sent: int
    rps: float
    server_us: float
    loop_us: float
    client_util: float
    server_util: float
    errors: int
    rows: int | None
    profile: str


def recv(conn, proc: mp.Process, timeout: float, what: str):
    """Receive from a child process; fail loudly if it dies or stays silent for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not conn.poll(0.2):
        if not proc.is_alive():
            raise RuntimeError(f"the process that should send the {what} died (exit code {proc.exitcode}); "
                               "its traceback is above")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:.0f} s; the benchmark is stuck")
    return conn.recv()


def run_scenario(ctx, name: str, kind: str, db_url: str, args: argparse.Namespace) -> Result:
    """Start a server and a client process, measure one timed run, and collect the inbox count."""
    warm, timed = make_requests(args.warmup, 1), make_requests(args.requests, 10**9)
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    srv, srv_child = ctx.Pipe()
    cli, cli_child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(kind, db_url, srv_child, cores[0], args.profile), daemon=True)
    client = None
    try:
        server.start()
        port = recv(srv, server, 120, "server port")
        client = ctx.Process(target=load, args=(port, warm, timed, args.concurrency, cli_child, cores[-1]),
                             daemon=True)
        client.start()
        recv(cli, client, PHASE_TIMEOUT, "client warm-up")
        srv.send("mark")
        cpu0 = recv(srv, server, 30, "server CPU sample")
        cli.send("go")
        stats = recv(cli, client, PHASE_TIMEOUT, "client result")
        srv.send("cpu")
        cpu1 = recv(srv, server, 30, "server CPU sample")
        srv.send("stop")
        final = recv(srv, server, 120, "inbox count")
    finally:
        _reap(server, client)
    return _result(name, kind, args, stats, cpu0, cpu1, final)


def _reap(*procs: mp.Process | None) -> None:
    for proc in procs:
        if proc is None or proc.pid is None:
            continue
        proc.join(10)
        if proc.is_alive():
            proc.terminate()
            proc.join(5)


def _result(name: str, kind: str, args, stats: dict, cpu0: tuple, cpu1: tuple, final: dict) -> Result:
    n, elapsed = args.requests, stats["elapsed"]
    server_cpu, loop_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    rows = None if kind == "bare" else final["rows"]
    return Result(name, n, n / elapsed, server_cpu / n * 1e6, loop_cpu / n * 1e6, stats["client_cpu"] / elapsed,
                  server_cpu / elapsed, stats["errors"], rows, final["profile"])


async def pg_admin(url: str, sql: str) -> None:
    """Run one administrative statement on PostgreSQL."""
    admin = Database(url)
    try:
        async with admin.engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await admin.close()


def scoped_url(url: str, schema: str) -> str:
    """Return the URL with its search_path set to schema."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def scenarios(args: argparse.Namespace, tmp: str) -> list[tuple[str, str, str]]:
    """List (name, kind, database URL) for this run."""
    out = [("bare", "bare", ""), ("inbox sqlite", "inbox", f"sqlite+aiosqlite:///{tmp}/bench.db")]
    if args.pg:
        out.append(("inbox postgresql", "inbox", args.pg))
    return out


def run_round(ctx, args: argparse.Namespace) -> list[Result]:
    """Run every scenario once on fresh databases (PostgreSQL in a schema dropped afterwards)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="salesbot-bench-") as tmp:
        for name, kind, url in scenarios(args, tmp):
            if not url.startswith("postgresql"):
                results.append(run_scenario(ctx, name, kind, url, args))
                continue
            schema = "bench_" + uuid.uuid4().hex[:10]  # throwaway, dropped even when the run fails
            asyncio.run(pg_admin(url, f"CREATE SCHEMA {schema}"))
            try:
                results.append(run_scenario(ctx, name, kind, scoped_url(url, schema), args))
            finally:
                asyncio.run(pg_admin(url, f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    return results


def run_all(args: argparse.Namespace) -> list[list[Result]]:
    """Run the scenarios round after round, interleaved, so background noise hits them alike."""
    ctx = mp.get_context("spawn")
    return [run_round(ctx, args) for _ in range(args.rounds)]


def median_of(rounds: list[list[Result]], i: int) -> Result:
    """Return scenario i's result from the round with the median rps."""
    ordered = sorted((r[i] for r in rounds), key=lambda r: r.rps)
    return ordered[(len(ordered) - 1) // 2]


def report(rounds: list[list[Result]], expected_rows: int) -> bool:
    """Print the table, the ratios and the loss check; return True when everything passed."""
    medians = [median_of(rounds, i) for i in range(len(rounds[0]))]
    print(f"\nsalesbot ingest bench — {datetime.now():%Y-%m-%d %H:%M} — {machine()}")
    print(f"{len(rounds)} round(s); each row is the median round by rps")
    print(f"{'scenario':<18}{'requests':>9}{'rps':>9}{'srv CPU µs/req':>16}{'(loop thr)':>11}"
          f"{'srv CPU':>9}{'cli CPU':>9}{'non-200':>9}{'inbox rows':>12}")
    for r in medians:
        rows = "-" if r.rows is None else str(r.rows)
        print(f"{r.name:<18}{r.sent:>9}{r.rps:>9.0f}{r.server_us:>16.0f}{r.loop_us:>11.0f}"
              f"{r.server_util:>9.0%}{r.client_util:>9.0%}{r.errors:>9}{rows:>12}")
    if medians[0].client_util > 0.9 and medians[0].server_util < 0.9:
        print("NOTE: the client saturated its core before the bare server did; the rps ratio flatters inbox "
              "(the CPU ratio does not)")
    ok = all(r.errors == 0 for rnd in rounds for r in rnd)
    for i in range(1, len(medians)):
        ok &= check(rounds, i, expected_rows)
    print("PASS" if ok else "FAIL")
    return ok


def check(rounds: list[list[Result]], i: int, expected_rows: int) -> bool:
    """Print scenario i's ratio to bare (paired per round) and its loss check; return True if both pass."""
    ratios = sorted(rnd[i].rps / rnd[0].rps for rnd in rounds)
    cpu = sorted(rnd[0].server_us / rnd[i].server_us for rnd in rounds)
    ratio, name = ratios[(len(ratios) - 1) // 2], rounds[0][i].name
    print(f"{name}/bare rps ratio = {ratio:.2f} (rounds {ratios[0]:.2f}..{ratios[-1]:.2f}), "
          f"CPU ratio = {cpu[(len(cpu) - 1) // 2]:.2f}  {'PASS' if ratio >= TARGET else 'FAIL'} (target >= {TARGET})")
    lost = [loss(rnd[i], expected_rows) for rnd in rounds if rnd[i].rows != expected_rows]
    for problem in lost:
        print(f"{name}: {problem}")
    profile = next((rnd[i].profile for rnd in rounds if rnd[i].profile), "")
    if profile:
        print(f"--- server profile ({name}, event-loop thread, by tottime) ---\n{profile}")
    return ratio >= TARGET and not lost


def loss(r: Result, sent: int) -> str:
    """Explain an inbox count that differs from the number of distinct requests sent."""
    acked = sent - r.errors
    if r.rows is not None and r.rows < acked:
        return f"LOST: {acked - r.rows} acked events are missing from the inbox ({r.rows} rows, {acked} acked)"
    return f"inbox holds {r.rows} rows for {sent} distinct requests ({r.errors} were not acked with 200)"


def machine() -> str:
    """Describe the machine in one line."""
    model = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    return f"{os.cpu_count()} cores {model}, Python {platform.python_version()}, {platform.system()}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; --quick shrinks the run for a smoke test."""
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=20_000, help="timed requests per scenario (max 200000)")
    p.add_argument("--warmup", type=int, default=1_000, help="untimed warm-up requests per scenario")
    p.add_argument("--concurrency", type=int, default=64, help="concurrent client connections")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported (max 9)")
    p.add_argument("--quick", action="store_true", help="one round of 3,000 timed requests, 300 warm-up")
    p.add_argument("--pg", metavar="URL", help="also run INBOX on PostgreSQL (postgresql+psycopg://…)")
    p.add_argument("--profile", action="store_true", help="cProfile the server's event loop during the timed run")
    args = p.parse_args(argv)
    if args.quick:
        args.requests, args.warmup, args.rounds = 3_000, 300, 1
    args.requests, args.rounds = max(1, min(args.requests, 200_000)), max(1, min(args.rounds, 9))
    return args


def warn_if_busy() -> None:
    """Say so when other work is already loading the machine: rps then varies, CPU per request much less."""
    with contextlib.suppress(OSError), open("/proc/loadavg", encoding="utf-8") as f:
        load = float(f.read().split()[0])
        if load >= 0.8 * (os.cpu_count() or 1) / 2:
            print(f"note: load average {load:.2f} before start; other processes share the cores, so trust the "
                  "CPU ratio (server CPU µs/req) more than the rps ratio", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when the ratio misses the target or an acked event is missing."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    warn_if_busy()
    return 0 if report(run_all(args), args.warmup + args.requests) else 1


if __name__ == "__main__":
    sys.exit(main())
