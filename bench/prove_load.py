"""Load for `make prove`: replicas as subprocesses, signed Feishu events posted to them, database probes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from sqlalchemy import text

from storage.db import Database
from tests.bot.platforms.feishu.conftest import ENCRYPT_KEY, VERIFICATION_TOKEN, envelope, signed, text_message
from tests.fakes.feishu import APP_ID, APP_SECRET

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin" / "salesbot"


def write_config(path: Path, port: int, db_url: str, api_base: str) -> Path:
    """A replica's config.toml: PostgreSQL, Feishu webhook mode against the fake, no playground."""
    path.write_text(f"""[server]
host = "127.0.0.1"
port = {port}
public_url = "http://127.0.0.1:{port}"
secret_key = "prove-secret-key-shared-by-replicas"
admin_token = "prove-admin"
[database]
url = "{db_url}"
[playground]
enabled = false
[feishu]
enabled = true
app_id = "{APP_ID}"
app_secret = "{APP_SECRET}"
encrypt_key = "{ENCRYPT_KEY}"
verification_token = "{VERIFICATION_TOKEN}"
api_base = "{api_base}"
""", "utf-8")
    return path


def cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a `salesbot` command against the prove database."""
    return subprocess.run([str(BIN), "--config", str(config), *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


class Replica:
    """One `salesbot serve` process; kill() is kill -9."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start serving (returns at once; use ready())."""
        out = open(self.log, "a", encoding="utf-8")  # noqa: SIM115 - the child owns it while it runs
        self.proc = subprocess.Popen([str(BIN), "--config", str(self.config), "serve"], stdout=out, stderr=out,
                                     cwd=ROOT, start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    async def ready(self, timeout: float = 60) -> None:
        """Wait for /healthz."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"replica on {self.port} did not come up; see {self.log}")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, leases and claims left behind."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM, then wait (a clean stop)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def event(n: int, chat: str, sender: str, text_: str, chat_type: str = "p2p", tag: str = "e") -> tuple[str, dict]:
    """A signed-later im.message.receive_v1: (message id, envelope)."""
    mid = f"om_{chat}_{tag}{n}"
    body = text_message(text_, sender, chat_id=chat, message_id=mid, chat_type=chat_type)
    return mid, envelope("im.message.receive_v1", body, f"ev-{tag}{n}")


async def post_all(ports: list[int], events: list[tuple[str, dict]], concurrency: int = 8,
                   pick=None) -> tuple[set[str], int]:
    """POST each event to a replica (round robin, or `pick(i)`); return (acked message ids, refused)."""
    acked: set[str] = set()
    refused = 0
    queue: asyncio.Queue = asyncio.Queue()
    for i, item in enumerate(events):
        queue.put_nowait((i, item))

    async def worker(http: aiohttp.ClientSession) -> None:
        nonlocal refused
        while not queue.empty():
            i, (mid, env) = queue.get_nowait()
            port = pick(i) if pick else ports[i % len(ports)]
            body, headers = signed(env, int(time.time()))
            try:
                async with http.post(f"http://127.0.0.1:{port}/feishu/events", data=body, headers=headers) as resp:
                    ok = resp.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            if ok:
                acked.add(mid)
            else:
                refused += 1  # not acknowledged: the platform would retry; not counted as lost

    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return acked, refused


async def inbox_state(db: Database, ids: set[str]) -> dict[str, str]:
    """Inbox status of each acknowledged message (dedupe key msg:<id>)."""
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT dedupe_key, status FROM inbox WHERE platform = 'feishu'"))).all()
    keyed = {k.removeprefix("msg:"): s for k, s in rows}
    return {i: keyed.get(i, "missing") for i in ids}


async def unhandled(db: Database, ids: set[str], limit: int = 3) -> str:
    """A few acknowledged events not done, as the note explains them: status, claims, lease left, error."""
    keys = [f"msg:{i}" for i in sorted(ids)]
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT dedupe_key, status, attempts, claimed_until, error, now() AT TIME ZONE 'UTC' FROM inbox "
            "WHERE platform = 'feishu' AND status <> 'done' AND dedupe_key = ANY(:keys) ORDER BY id LIMIT :n"),
            {"keys": keys, "n": limit})).all()
    return "; ".join(f"{k} {s} after {a} claims, lease {((c - now).total_seconds() if c else 0):+.0f} s, "
                     f"error {e[:80]!r}" for k, s, a, c, e, now in rows)


async def outbox_busy(db: Database) -> int:
    """Rows still to send (pending or being sent)."""
    async with db.engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"))).scalar()


async def wait_done(db: Database, ids: set[str], timeout: float) -> float | None:
    """Wait until every acked event is handled and the outbox is empty; return the seconds taken, or None."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            states = await inbox_state(db, ids)
            if all(s == "done" for s in states.values()) and not await outbox_busy(db):
                return time.monotonic() - started
        except Exception:  # the database may be restarting
            pass
        await asyncio.sleep(0.5)
    return None


def members_csv(path: Path, n: int) -> Path:
    """n reps with a Feishu open id each (the senders of the load)."""
    lines = ["name,role,team,manager,region,industries,capacity,mobile,wecom_userid,dingtalk_userid,feishu_open_id"]
    lines += [f"压测{i},rep,压测组,,华东,,50,,,,ou_prove_{i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def dump(obj: object) -> str:
    """Compact JSON for the report's notes."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    sys.exit("run `make prove` (bench/prove.py)")
