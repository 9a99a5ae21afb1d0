"""Pieces of `bench.route`: signed + encrypted platform callbacks, the bare server, a fake platform API, the load
generator. Server and load run in separate processes pinned to separate cores (os.sched_setaffinity).

    .venv/bin/python -m bench.route_kit bare PORT      # bare aiohttp verify + decrypt of Feishu events
    .venv/bin/python -m bench.route_kit fake PORT      # fake Feishu/WeCom/DingTalk APIs, records replies
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import re
import subprocess
import sys
import time
from urllib.parse import urlencode

from aiohttp import ClientSession, ClientTimeout, DummyCookieJar, TCPConnector, web

from bot.platforms.dingtalk.extras import crypto as ding
from bot.platforms.feishu.extras import crypto as lark
from bot.platforms.wecom.extras.crypto import WecomCrypto

FS_KEY, FS_TOKEN, FS_APP = "benchEncryptKey", "benchVerifyToken", "cli_bench"
WC_CORP, WC_TOKEN, WC_AGENT = "wwbench0000000001", "benchToken", 1000002
WC_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WB_TOKEN, WB_KEY = "benchBotToken", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
DT_SECRET = "benchDingSecret"
BOT_OPEN_ID, BOT_NAME = "ou_benchbot", "销售助手"
MARK = re.compile(r"Q(\d+)Z")  # customer names carry Q<index>Z so a reply maps back to its callback
Request = tuple[str, dict[str, str], bytes]  # (path with query, headers, body)


def pin(core: int) -> None:
    """Pin this process to one core (when the machine has it)."""
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setaffinity(0, {core % (os.cpu_count() or 1)})


# --- callbacks (built before timing) --------------------------------------------------------------------------

def feishu(i: int, run: str, text: str, at_bot: bool, user: int) -> Request:
    """A signed, encrypted im.message.receive_v1 in a group (one chat per event: Feishu caps replies per chat)."""
    mentions = [{"key": "@_user_1", "id": {"open_id": BOT_OPEN_ID}, "name": BOT_NAME, "tenant_key": "tk"}]
    content = f"@_user_1 {text}" if at_bot else text
    header = {"event_id": f"ev-{run}-{i}", "event_type": "im.message.receive_v1", "create_time": "1",
              "token": FS_TOKEN, "app_id": FS_APP, "tenant_key": "tk"}
    message = {"message_id": f"om_{run}_{i}", "chat_id": f"oc_{run}_{i}", "chat_type": "group",
               "message_type": "text", "content": json.dumps({"text": content}, ensure_ascii=False),
               "mentions": mentions if at_bot else []}
    sender = {"sender_id": {"open_id": f"ou_rep{user}"}, "sender_type": "user", "tenant_key": "tk"}
    payload = {"schema": "2.0", "header": header, "event": {"sender": sender, "message": message}}
    body = json.dumps({"encrypt": lark.encrypt(FS_KEY, json.dumps(payload, ensure_ascii=False))},
                      separators=(",", ":")).encode()
    ts, nonce = str(int(time.time())), f"n{random.randrange(10**9)}"
    return "/feishu/events", {"X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce, "Content-Type":
                              "application/json", "X-Lark-Signature": lark.signature(ts, nonce, FS_KEY, body)}, body


def wecom_robot(i: int, run: str, text: str, user: int) -> Request:
    """A signed, encrypted intelligent-robot group message (the robot hears only messages that @ it)."""
    payload = {"msgid": f"{run}-{i}", "aibotid": "AIBOT1", "chattype": "group", "chatid": f"wrc{run}{i}",
               "from": {"userid": f"rep{user}"}, "response_url": "", "msgtype": "text",
               "text": {"content": f"@{BOT_NAME} {text}"}}
    ts, nonce = str(int(time.time())), str(random.randrange(10**8, 10**9))
    sealed = WecomCrypto(WB_TOKEN, WB_KEY, "").encrypt(json.dumps(payload, ensure_ascii=False).encode(), nonce, ts)
    query = urlencode({"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": nonce})
    body = json.dumps({"encrypt": sealed["Encrypt"]}).encode()
    return f"/wecom/bot?{query}", {"Content-Type": "application/json"}, body


def wecom_app(i: int, run: str, text: str | None, user: int) -> Request:
    """A signed, encrypted self-built-app callback: a 1:1 text, or (text None) an enter_agent event."""
    ts, nonce = str(int(time.time())), str(random.randrange(10**8, 10**9))
    head = (f"<xml><ToUserName><![CDATA[{WC_CORP}]]></ToUserName><FromUserName><![CDATA[rep{user}]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime>")
    if text is None:
        body = (f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event>"
                f"<EventKey>{run}{i}</EventKey>")
    else:
        body = f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content><MsgId>{run}{i}</MsgId>"
    plain = f"{head}{body}<AgentID>{WC_AGENT}</AgentID></xml>"
    sealed = WecomCrypto(WC_TOKEN, WC_KEY, WC_CORP).encrypt(plain.encode(), nonce, ts)
    env = (f"<xml><ToUserName><![CDATA[{WC_CORP}]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt>"
           f"<AgentID><![CDATA[{WC_AGENT}]]></AgentID></xml>")
    query = urlencode({"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": nonce})
    return f"/wecom/app?{query}", {"Content-Type": "text/xml"}, env.encode()


WINDOW_MS = 300_000  # salesbot's default [security] replay_window_seconds: a stamp further from now is refused
_BASES: dict[str, int] = {}  # run -> the millisecond its request 0 is stamped with
_END = [0]  # one past the last millisecond any run of this process was stamped with


def stamp(run: str, i: int) -> int:
    """Request i of a run is stamped base + i ms: real, distinct milliseconds from the moment the run is built.

    DingTalk signs only the timestamp, so callbacks sharing a millisecond share a signature; salesbot lets a
    few through (a same-millisecond burst, bot/platforms/replay.py) and refuses the rest as replays. Real
    traffic rarely shares a millisecond, so the bench must not manufacture it: the kit once stamped
    `now - i % 1000`, which repeated the warm-up's stamps in the measured run (224 of ~1,000 refused). A run
    starts after every stamp of the runs built before it, so runs built one after another never overlap.
    """
    now = int(time.time() * 1000)
    newest = max(_BASES.values(), default=0)
    base = _BASES.setdefault(run, max(now, _END[0]))
    if base < newest <= base + i:
        raise RuntimeError(f"run {run!r} grew into a newer run's milliseconds: build one run at a time")
    if base + i > now + WINDOW_MS // 2:  # the other half of the window is left for sending it
        raise RuntimeError(f"run {run!r} request {i} would be stamped {base + i - now} ms ahead: build fewer")
    _END[0] = max(_END[0], base + i + 1)
    return base + i


def dingtalk(i: int, run: str, text: str, user: int, fake_url: str) -> Request:
    """A signed robot callback (HTTP mode) @-ing the bot in a group, stamped in its own millisecond."""
    now = stamp(run, i)
    data = {"msgtype": "text", "text": {"content": f" {text}"}, "msgId": f"{run}-{i}", "createAt": now,
            "conversationType": "2", "conversationId": f"cid{run}{i}==", "conversationTitle": "华东销售群",
            "senderStaffId": f"rep{user}", "senderNick": "张三", "chatbotUserId": "bot", "robotCode": "dingbench",
            "sessionWebhook": f"{fake_url}/robot/sendBySession?session={run}{i}",
            "sessionWebhookExpiredTime": now + 5_400_000, "isInAtList": True}
    return "/dingtalk/robot", {"timestamp": str(now), "sign": ding.hmac_sign(DT_SECRET, str(now)),
                               "Content-Type": "application/json"}, json.dumps(data, ensure_ascii=False).encode()


# --- bare server: what verify + decrypt alone costs -----------------------------------------------------------

async def bare_handler(request: web.Request) -> web.Response:
    """Verify the Feishu signature and timestamp, decrypt, parse, answer — nothing else."""
    body = await request.read()
    h = request.headers
    lark.verify(h.get("X-Lark-Request-Timestamp"), h.get("X-Lark-Request-Nonce"), h.get("X-Lark-Signature"), FS_KEY,
                body, time.time())
    json.loads(lark.decrypt(FS_KEY, json.loads(body)["encrypt"]))
    return web.json_response({"msg": "success"})


# --- fake platform APIs ---------------------------------------------------------------------------------------

class FakeApis:
    """Answers every platform call with a success shape and records replies: (arrival, callback index)."""

    def __init__(self) -> None:
        self.replies: list[tuple[float, int]] = []
        self.calls = 0

    async def any(self, request: web.Request) -> web.Response:
        """Answer token, bot-info and send calls of all three platforms with one success body."""
        body = await request.text()
        self.calls += 1
        if (m := MARK.search(body)) is not None:
            self.replies.append((time.monotonic(), int(m.group(1))))
        bot = {"activate_status": 2, "app_name": BOT_NAME, "avatar_url": "https://example.com/a.png",
               "ip_white_list": [], "open_id": BOT_OPEN_ID}
        return web.json_response({"code": 0, "msg": "ok", "errcode": 0, "errmsg": "ok", "expire": 7200,
                                  "tenant_access_token": "t-bench", "access_token": "t-bench", "expires_in": 7200,
                                  "accessToken": "t-bench", "expireIn": 7200, "bot": bot,
                                  "data": {"message_id": f"om_r{self.calls}", "bot": bot}})

    async def stats(self, request: web.Request) -> web.Response:
        """Return and clear the replies recorded so far."""
        out, self.replies = self.replies, []
        return web.json_response({"replies": out, "calls": self.calls})


# --- load generator -------------------------------------------------------------------------------------------

async def _send(session: ClientSession, base: str, req: Request) -> tuple[float, float, int]:
    path, headers, body = req
    start = time.monotonic()
    try:
        async with session.post(base + path, data=body, headers=headers) as resp:
            await resp.read()
            status = resp.status
    except Exception:
        status = 0
    return start, time.monotonic() - start, status


async def closed_loop(base: str, reqs: list[Request], conc: int) -> dict:
    """Send every request with `conc` in flight; return wall time, latencies, statuses and send times."""
    out: list = [None] * len(reqs)
    it = iter(range(len(reqs)))
    conn = TCPConnector(limit=conc, force_close=False)
    async with ClientSession(connector=conn, cookie_jar=DummyCookieJar(), timeout=ClientTimeout(total=60)) as s:
        async def worker() -> None:
            for i in it:
                out[i] = await _send(s, base, reqs[i])
        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(conc)))
        wall = time.monotonic() - started
    return {"wall": wall, "sent": [o[0] for o in out], "lat": [o[1] for o in out], "status": [o[2] for o in out]}


async def open_loop(base: str, reqs: list[Request], rate: float) -> dict:
    """Send request i at start + i/rate whatever the answers (latency counts from the scheduled time).

    Each request's task is created when it is due, not all up front: creating 22,000 tasks before the first send
    took the generator about half a second, which the first requests' latencies counted as the server's (the
    overload's ack p99 read 137.7 ms at 372/s with its steady state under 40 ms).
    """
    out: list = [None] * len(reqs)
    conn = TCPConnector(limit=1024)
    async with ClientSession(connector=conn, cookie_jar=DummyCookieJar(), timeout=ClientTimeout(total=60)) as s:

        async def one(i: int, due: float) -> None:
            sent, lat, status = await _send(s, base, reqs[i])
            out[i] = (due, lat + (sent - due), status)

        tasks = []
        started = time.monotonic()
        for i in range(len(reqs)):
            due = started + i / rate
            if (ahead := due - time.monotonic()) > 0:
                await asyncio.sleep(ahead)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        wall = time.monotonic() - started
    return {"wall": wall, "sent": [o[0] for o in out], "lat": [o[1] for o in out], "status": [o[2] for o in out]}


def load_process(core: int, mode: str, base: str, reqs: list[Request], arg: float, conn) -> None:
    """Entry of the load process: pin, run, send the result (with this process's CPU seconds) back."""
    pin(core)
    # The requests and their results are tens of thousands of objects: a full collection of them paused the
    # generator ~150 ms at the same point of every 60 s overload, and requests due meanwhile read as slow acks.
    # Reference counting frees what a run drops; the process ends after one run.
    gc.freeze()
    gc.disable()
    cpu = time.process_time()
    fn = closed_loop(base, reqs, int(arg)) if mode == "closed" else open_loop(base, reqs, arg)
    result = asyncio.run(fn)
    result["cpu"] = time.process_time() - cpu
    conn.send(result)
    conn.close()


def main() -> None:
    """Serve the bare app or the fake APIs on 127.0.0.1:PORT."""
    what, port = sys.argv[1], int(sys.argv[2])
    app = web.Application(client_max_size=4 * 1024 * 1024)
    if what == "bare":
        pin(0)
        app.router.add_post("/feishu/events", bare_handler)
    else:
        pin(1)
        fake = FakeApis()
        app.router.add_get("/_stats", fake.stats)
        app.router.add_route("*", "/{tail:.*}", fake.any)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()


# --- wrk (when installed): the closed-loop ack scenarios ---------------------------------------------------

WRK_LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "route_wrk.lua")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk_closed(base: str, reqs: list[Request], conc: int, tmpdir: str, seconds: float) -> dict:
    """Send distinct requests for `seconds` with wrk (one thread, `conc` connections) pinned to core 1.

    wrk always runs for its whole duration; a thread that runs out of requests stops sending, so then the rate
    is a lower bound ("exhausted").
    """
    prefix = os.path.join(tmpdir, "wrk-reqs-")
    with open(prefix + "0", "wb") as f:
        for path, headers, body in reqs:
            f.write(f"{path}\n{len(headers)}\n".encode())
            f.write("".join(f"{k}: {v}\n" for k, v in headers.items()).encode())
            f.write(f"{len(body)}\n".encode() + body + b"\n")
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conc}", f"-d{seconds:g}s", "--timeout", "10s", "--latency",
           "-s", WRK_LUA, base, "--", prefix]
    result = parse_wrk(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    result["exhausted"] = result["requests"] >= len(reqs) - conc
    return result


def parse_wrk(out: str) -> dict:
    """Pull requests, seconds, p50/p99 and non-2xx counts out of wrk's --latency report."""
    def seconds(value: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", value)
        return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests": int(total.group(1)), "wall": float(total.group(2)) * _UNITS[total.group(3)],
            "p50": seconds(lat.get("50", "")), "p99": seconds(lat.get("99", "")),
            "bad": int(bad.group(1)) if bad else 0, "errors": sum(map(int, errors.groups())) if errors else 0}
