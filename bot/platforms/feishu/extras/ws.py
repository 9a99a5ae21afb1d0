"""Long-connection mode (feishu.mode = "ws"): events and card clicks over Feishu's WebSocket, no public URL.

A small asyncio client of the protocol lark-oapi speaks — bootstrap POST, protobuf frames, ping,
ACK — so nothing blocks the aiohttp loop and `type=card` frames are handled (lark-oapi 1.7.5 drops
them). Payloads arrive in plaintext (the connection itself is authenticated) and take the same path
as webhook bodies: adapter.to_event → inbox → dispatch; card clicks are answered in the ACK.
Every bootstrap call (endpoint POST, socket open) has a timeout; a watchdog reconnects when nothing,
not even a pong, arrives in time; after a drop the connection comes back within the server's
ReconnectNonce. Only the replica holding the app's lease connects (platform.py's lifespan,
bot/platforms/connections.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import random
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.core.errors import BadRequest
from bot.core.payloads import json_object
from bot.core.stopping import cancel_and_wait, within
from bot.platforms.feishu import adapter, routes
from bot.platforms.feishu.extras import approvals, frames
from storage.repos import requests as archive

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.feishu.ws")
ENDPOINT = "/callback/ws/endpoint"


class LongConnection:
    """Keep one long connection open, reconnecting as the server's ClientConfig says."""

    def __init__(self, rt: Runtime, reconnect: bool = True) -> None:
        self.rt, self.cfg, self.reconnect = rt, rt.settings.feishu, reconnect
        self.ping_interval, self.reconnect_interval, self.reconnect_nonce = 120.0, 120.0, 30.0
        self.connected = asyncio.Event()
        conns = rt.settings.connections
        self.watchdog, self.boot, self.watchdog_trips = conns.watchdog_seconds, conns.bootstrap_timeout_seconds, 0
        self.name = f"feishu-ws:{self.cfg.app_id}"
        self._parts = frames.Parts()
        self._send_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Run the connection loop in the background."""
        self._task = asyncio.get_running_loop().create_task(self.run(), name="feishu-ws")

    async def stop(self) -> None:
        """Close the connection and stop reconnecting."""
        await cancel_and_wait([self._task])

    async def run(self) -> None:
        """Connect, serve frames, and reconnect after a drop (jittered, as lark-oapi does)."""
        failures = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.boot)) as http:
            while True:
                try:
                    await self._serve(http, await self._endpoint(http))
                    failures = 0
                except Exception as exc:  # any failure ends this connection, never the loop
                    failures += 1
                    log.warning("Feishu long connection failed", extra={"error": repr(exc)})
                finally:
                    self.rt.connections.mark(self.name, "down")
                if not self.reconnect:
                    return
                # after a drop, come back within the nonce; after failed attempts, wait the server's interval
                await asyncio.sleep(random.uniform(0, self.reconnect_nonce) + (self.reconnect_interval if failures
                                                                               else 0.0))

    async def _endpoint(self, http: aiohttp.ClientSession) -> str:
        """Ask Feishu for a connection URL (and its ClientConfig), giving up after the bootstrap timeout."""
        body = {"AppID": self.cfg.app_id, "AppSecret": self.cfg.app_secret}
        async with http.post(self.cfg.api_base.rstrip("/") + ENDPOINT, json=body, headers={"locale": "zh"},
                             timeout=aiohttp.ClientTimeout(total=self.boot)) as resp:
            data = await resp.json(content_type=None)
        if not isinstance(data, dict) or data.get("code") != 0 or not (data.get("data") or {}).get("URL"):
            code = data.get("code") if isinstance(data, dict) else resp.status
            raise RuntimeError(f"{ENDPOINT} refused (code {code}); check feishu.app_id/app_secret and choose "
                               "使用长连接接收事件 in the developer console")
        self._configure(data["data"].get("ClientConfig") or {})
        return str(data["data"]["URL"])

    def _configure(self, conf: dict[str, Any]) -> None:
        self.ping_interval = float(conf.get("PingInterval") or self.ping_interval)
        self.reconnect_interval = float(conf.get("ReconnectInterval") or self.reconnect_interval)
        self.reconnect_nonce = float(conf.get("ReconnectNonce") or self.reconnect_nonce)

    async def _serve(self, http: aiohttp.ClientSession, url: str) -> None:
        service = int((parse_qs(urlsplit(url).query).get("service_id") or ["0"])[0])
        async with asyncio.timeout(self.boot):
            ws = await http.ws_connect(url)
        async with ws:
            self.connected.set()
            self.rt.connections.mark(self.name, "up")
            pinger = asyncio.get_running_loop().create_task(self._ping(ws, service))
            try:
                while (msg := await self._next(ws)) is not None:
                    self.rt.connections.frame(self.name)
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        self._on_frame(ws, frames.decode(msg.data))
            finally:
                pinger.cancel()
                self.connected.clear()

    async def _next(self, ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage | None:
        """The next message, or None when the socket closed or no frame (pongs included) came in time."""
        watchdog = max(self.watchdog, self.ping_interval + 30.0)  # we ping, Feishu pongs: silence means dead
        try:
            msg = await within(ws.receive(), watchdog)
        except TimeoutError:
            self.watchdog_trips += 1
            log.warning("Feishu long connection silent; reconnecting", extra={"seconds": watchdog})
            return None
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED,
                        aiohttp.WSMsgType.ERROR):
            return None
        return msg

    async def _ping(self, ws: aiohttp.ClientWebSocketResponse, service: int) -> None:
        while True:
            await self._send(ws, frames.Frame(service=service, method=frames.CONTROL, headers=[("type", "ping")]))
            await asyncio.sleep(self.ping_interval)

    async def _send(self, ws: aiohttp.ClientWebSocketResponse, frame: frames.Frame) -> None:
        async with self._send_lock:
            await ws.send_bytes(frames.encode(frame))

    def _on_frame(self, ws: aiohttp.ClientWebSocketResponse, frame: frames.Frame) -> None:
        """Apply pongs; hand complete data frames to a tracked task so the reader never waits."""
        if frame.method == frames.CONTROL:
            if frame.header("type") == "pong" and frame.payload:
                with contextlib.suppress(ValueError, TypeError):
                    self._configure(json.loads(frame.payload))
            return
        payload = self._parts.add(frame)
        if payload is not None:
            task = asyncio.get_running_loop().create_task(self._handle(ws, frame, payload))
            self.rt.dispatcher.tasks.add(task)
            task.add_done_callback(self.rt.dispatcher.tasks.discard)

    async def _handle(self, ws: aiohttp.ClientWebSocketResponse, frame: frames.Frame, payload: bytes) -> None:
        """Store or answer one event, then ACK it: 200 (+ the click answer), or 500 so Feishu retries."""
        started = time.monotonic()
        ack: dict[str, Any] = {"code": 200}
        try:
            answer = await self.dispatch(payload)
            if answer is not None:
                ack["data"] = base64.b64encode(json.dumps(answer, ensure_ascii=False).encode()).decode()
        except BadRequest as exc:  # malformed: a retry cannot fix it, so archive it and ack
            log.warning("Feishu long-connection payload refused", extra={"reason": exc.reason})
            await archive.archive(self.rt.db, "feishu:ws", exc.status, exc.reason, "application/json", payload,
                                  self.rt.clock.now())
        except Exception:
            log.exception("Feishu long-connection event failed; Feishu will resend it")
            ack = {"code": 500}
        biz_rt = str(int((time.monotonic() - started) * 1000))
        reply = frames.Frame(frame.seq_id, frame.log_id, frame.service, frame.method,
                             [*frame.headers, ("biz_rt", biz_rt)], payload=json.dumps(ack).encode())
        try:
            await self._send(ws, reply)
        except Exception as exc:  # the connection dropped; Feishu resends what was not acknowledged
            log.warning("could not ACK a Feishu frame", extra={"error": repr(exc)})

    async def dispatch(self, payload: bytes) -> dict[str, Any] | None:
        """Turn one payload into an Event; return the card-callback answer for clicks."""
        data = json_object(payload, "long-connection payload")
        bot_id = await routes.bot_open_id(self.rt) if adapter.needs_bot_id(data) else None
        event = adapter.to_event(data, bot_id, self.rt.settings.org.bot_name)
        if event.kind == "card_action":
            return await routes.answer_click(self.rt, event)
        if event.kind == "approval":  # a lookup failure raises: the ACK says 500 and Feishu resends
            event = await approvals.with_decider(self.rt, event)
        await self.rt.dispatcher.ingest(event)
        return None
