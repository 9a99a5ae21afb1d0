"""Processes for `bench.route`: servers pinned to core 0 (`salesbot serve`, the bare app, the nonebot2 peer in its
own venv), the load generator and the fake platform APIs on core 1; CPU and RSS read from /proc."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import text

from bench import route_kit as kit
from storage.db import Database
from storage.migrate import upgrade
from storage.repos import members

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = ROOT / ".venv-peer"
PORTS = {"salesbot": 8108, "bare": 8109, "peer": 8110, "fake": 8111}
SALESBOT = [str(ROOT / ".venv/bin/salesbot")]
REPS = 50


def url(name: str) -> str:
    """Return the base URL of a bench server."""
    return f"http://127.0.0.1:{PORTS[name]}"


# --- processes -------------------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """Return a process's user + system CPU seconds (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Return a process's resident set in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
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
    """Start a server process pinned to core 0, its output discarded."""
    return subprocess.Popen(["taskset", "-c", "0", *cmd], env={**os.environ, **(env or {})}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server this bench started."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


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


async def prepare_db(db_url: str) -> None:
    """Migrate and add REPS reps known on every platform."""
    db = Database(db_url)
    await upgrade(db)
    async with db.session() as s:
        for i in range(REPS):
            await members.upsert(s, f"代表{i:02d}", {"role": "rep"}, "华东大客户部",
                                 {"feishu": f"ou_rep{i}", "wecom": f"rep{i}", "dingtalk": f"rep{i}"})
    await db.close()


class Salesbot:
    """One `salesbot serve` on a fresh database (SQLite file or PostgreSQL schema)."""

    def __init__(self, tmp: Path, pg: str | None) -> None:
        self.tmp, self.pg, self.proc, self.schema = tmp, pg, None, None

    async def __aenter__(self) -> Salesbot:
        if self.pg:
            self.schema = "route_" + uuid.uuid4().hex[:8]
            await _admin(self.pg, f"CREATE SCHEMA {self.schema}")
            db_url = f"{self.pg}?options=-csearch_path%3D{self.schema}"
        else:
            db_url = f"sqlite+aiosqlite:///{self.tmp}/sb-{uuid.uuid4().hex[:6]}.db"
        await prepare_db(db_url)
        cfg = config(self.tmp / "config.toml", db_url)
        started = time.monotonic()
        self.proc = start([*SALESBOT, "--config", str(cfg), "serve"])
        await wait_healthy(url("salesbot"), "/healthz")
        self.start_s = time.monotonic() - started
        self.start_cpu = cpu_seconds(self.proc.pid)  # the server's own CPU to get there: what load does not inflate
        return self

    async def __aexit__(self, *exc) -> None:
        stop(self.proc)
        if self.schema:
            await _admin(self.pg, f"DROP SCHEMA {self.schema} CASCADE")

    async def metric(self, name: str) -> float:
        """Sum a metric's samples from /metrics."""
        async with ClientSession() as s, s.get(url("salesbot") + "/metrics") as resp:
            body = await resp.text()
        return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                   if line.startswith(name) and not line.startswith("#") and line[len(name)] in "{ ")


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

