"""Processes for `bench.route`: servers pinned to core 0 (`salesbot serve`, the bare app, the nonebot2 peer in its
own venv), the load generator and the fake platform APIs on core 1; CPU and RSS read from /proc."""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import select, text

from bench import route_kit as kit
from storage.db import Database
from storage.migrate import upgrade
from storage.repos import members, outbox

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = ROOT / ".venv-peer"
_BASE = int(os.environ.get("BENCH_PORT_BASE", "8108"))  # another base lets two benches run side by side
PORTS = {"salesbot": _BASE, "bare": _BASE + 1, "peer": _BASE + 2, "fake": _BASE + 3, "peer_start": _BASE + 4}
# `python -m bot` from ROOT (the servers' cwd) imports this tree's code first, even with the venv's editable install
# pointing at another checkout (a worktree): the bench measures the code beside it.
SALESBOT = [sys.executable, "-m", "bot"]
REPS = 50
CONC = 32  # the closed-loop load generator's connections
OUTBOX_LEFT = ('status="pending"', 'status="sending"')  # the outbox rows still to send, as /metrics labels them


def url(name: str) -> str:
    """Return the base URL of a bench server."""
    return f"http://127.0.0.1:{PORTS[name]}"


# --- processes -------------------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """Return a process's user + system CPU seconds (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """Return a process's resident set in MiB (field "VmHWM": its peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def wait_healthy(base: str, path: str, timeout: float = 60) -> float:
    """Poll until `path` answers 200 (or any answer for POST-only routes); return seconds waited."""
    started = time.monotonic()
    async with ClientSession() as s:
        while time.monotonic() - started < timeout:
            try:
                async with s.get(base + path) as resp:
                    if resp.status < 500:
                        return time.monotonic() - started
            except OSError:
                pass
            await asyncio.sleep(0.01)
    raise RuntimeError(f"{base}{path} did not answer within {timeout} s")


def ports_free() -> None:
    """Refuse to run when a bench port is taken: the bench would measure another worktree's servers."""
    for name, port in PORTS.items():
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} ({name}) is in use (another bench?): pass --port-base")


def start(cmd: list[str], env: dict | None = None) -> subprocess.Popen:
    """Start a server process pinned to core 0; its output goes to $BENCH_SERVER_LOG when set, else nowhere."""
    log = os.environ.get("BENCH_SERVER_LOG")
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115  # the child owns it until it exits
    return subprocess.Popen(["taskset", "-c", "0", *cmd], env={**os.environ, **(env or {})}, cwd=ROOT,
                            stdout=out, stderr=out)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server this bench started."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def child_json(module: str, *args: str) -> dict:
    """Run `python -m module args…` from ROOT; return the JSON its last stdout line holds, or {"error": …}."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", module, *args, cwd=ROOT,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await proc.communicate()
    lines = out.decode().strip().splitlines()
    if proc.returncode or not lines:
        tail = err.decode().strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return {"error": tail[0]}
    return json.loads(lines[-1])


def ensure_peer() -> Path | None:
    """Create the peer's venv and install the pinned nonebot2 + adapter from the package index (once)."""
    py = PEER_VENV / "bin/python"
    marker = PEER_VENV / ("." + "-".join(p.replace("[", "").replace("]", "").replace(",", "") for p in PINS))
    if not marker.exists():
        print("installing the nonebot2 peer into .venv-peer (pinned, from the package index) …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PINS], check=True, stdout=subprocess.DEVNULL)
        marker.touch()
    return py


PINS = ("nonebot2[fastapi,httpx]==2.5.0", "nonebot-adapter-feishu==2.7.2")


# --- salesbot ----------------------------------------------------------------------------------------------------

def config(path: Path, db_url: str) -> Path:
    """Write a config with every platform's callbacks on and every API pointed at the fake."""
    fake = url("fake")
    path.write_text(f"""[server]
port = {PORTS['salesbot']}
public_url = "{url('salesbot')}"
[database]
url = "{db_url}"
[playground]
enabled = false
[wecom]
enabled = true
corp_id = "{kit.WC_CORP}"
agent_id = {kit.WC_AGENT}
secret = "s"
token = "{kit.WC_TOKEN}"
encoding_aes_key = "{kit.WC_KEY}"
bot_token = "{kit.WB_TOKEN}"
bot_encoding_aes_key = "{kit.WB_KEY}"
api_base = "{fake}"
[dingtalk]
enabled = true
mode = "http"
client_id = "dingbench"
client_secret = "{kit.DT_SECRET}"
robot_code = "dingbench"
api_base = "{fake}"
oapi_base = "{fake}"
[feishu]
enabled = true
app_id = "{kit.FS_APP}"
app_secret = "s"
verification_token = "{kit.FS_TOKEN}"
encrypt_key = "{kit.FS_KEY}"
api_base = "{fake}"
""", encoding="utf-8")
    return path


async def prepare_db(db_url: str, backlog: list[tuple[str, str, str, dict]] | None = None) -> None:
    """Migrate, add REPS reps known on every platform, and queue `backlog` (key, platform, target, payload) rows."""
    db = Database(db_url)
    await upgrade(db)
    async with db.session() as s:
        for i in range(REPS):
            await members.upsert(s, f"代表{i:02d}", {"role": "rep"}, "华东大客户部",
                                 {"feishu": f"ou_rep{i}", "wecom": f"rep{i}", "dingtalk": f"rep{i}"})
        if backlog:
            await outbox.enqueue_many(s, backlog, datetime.now(UTC))
    await db.close()


class Salesbot:
    """One `salesbot serve` on a fresh database (SQLite file or PostgreSQL schema)."""

    def __init__(self, tmp: Path, pg: str | None, backlog: list[tuple[str, str, str, dict]] | None = None) -> None:
        self.tmp, self.pg, self.proc, self.schema, self.backlog = tmp, pg, None, None, backlog or []
        self.db_url = ""

    async def __aenter__(self) -> Salesbot:
        if self.pg:
            self.schema = "route_" + uuid.uuid4().hex[:8]
            await _admin(self.pg, f"CREATE SCHEMA {self.schema}")
            self.db_url = f"{self.pg}?options=-csearch_path%3D{self.schema}"
        else:
            self.db_url = f"sqlite+aiosqlite:///{self.tmp}/sb-{uuid.uuid4().hex[:6]}.db"
        await prepare_db(self.db_url, self.backlog)
        cfg = config(self.tmp / "config.toml", self.db_url)
        started = time.monotonic()
        self.proc = start([*SALESBOT, "--config", str(cfg), "serve"])
        await wait_healthy(url("salesbot"), "/healthz")
        self.start_s = time.monotonic() - started
        return self

    async def __aexit__(self, *exc) -> None:
        stop(self.proc)
        if self.schema:
            await _admin(self.pg, f"DROP SCHEMA {self.schema} CASCADE")

    async def settled(self, timeout: float = 120) -> None:
        """Wait until the inbox holds no event still to handle (or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while await self.metric("salesbot_inbox_backlog") and time.monotonic() < deadline:
            await asyncio.sleep(0.2)

    async def sent(self, timeout: float = 10) -> None:
        """Wait until the outbox holds no reply still to send, at most `timeout`: beyond it the rest waits for the
        platform's slower caps (WeCom, DingTalk), a lane asleep until a slot frees costs no CPU."""
        deadline = time.monotonic() + timeout
        while await self.metric("salesbot_outbox_messages", OUTBOX_LEFT) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)

    async def scrape(self) -> str:
        """The /metrics text."""
        async with ClientSession() as s, s.get(url("salesbot") + "/metrics") as resp:
            return await resp.text()

    async def metric(self, name: str, labels: tuple[str, ...] = ()) -> float:
        """Sum a metric's samples from /metrics (see `sample`)."""
        return sample(await self.scrape(), name, labels)

    async def sent_rows(self, platform: str, n: int) -> list[tuple[str, dict]]:
        """Up to n (target, payload) of the rows this server delivered to `platform`, oldest first."""
        db = Database(self.db_url)
        async with db.session() as s:
            t = outbox.T.c
            rows = await s.execute(select(t.target, t.payload).where(t.platform == platform, t.status == "sent")
                                   .order_by(t.id).limit(n))
            out = [(t, dict(p)) for t, p in rows.all()]
        await db.close()
        return out


def sample(body: str, name: str, labels: tuple[str, ...] = ()) -> float:
    """Sum the samples of `name` in a /metrics text, only those carrying one of `labels` when given."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith(name) and not line.startswith("#") and line[len(name)] in "{ "
               and (not labels or any(label in line for label in labels)))


async def answers(pg: str) -> bool:
    """Whether the PostgreSQL at `pg` takes a connection within a few seconds."""
    db = Database(pg)
    try:
        async with asyncio.timeout(5), db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # unreachable, refused, no such database or role: all mean "not here"
        return False
    finally:
        await db.close()


async def _admin(pg: str, sql: str) -> None:
    db = Database(pg)
    async with db.engine.begin() as conn:
        await conn.execute(text(sql))
    await db.close()


async def fake_replies() -> list[tuple[float, int]]:
    """Fetch and clear the replies the fake APIs recorded."""
    async with ClientSession() as s, s.get(url("fake") + "/_stats") as resp:
        return (await resp.json())["replies"]


def load(mode: str, base: str, reqs: list, arg: float) -> dict:
    """Run the load generator in its own process pinned to core 1."""
    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(target=kit.load_process, args=(1, mode, base, reqs, arg, child))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def pct(values: list[float], p: float) -> float:
    """Return the p-th percentile (0..100) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * p / 100), len(ordered) - 1)] * 1000

