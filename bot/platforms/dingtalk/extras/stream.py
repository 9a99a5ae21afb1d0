"""DingTalk Stream mode on dingtalk-stream 0.24.3, with its pitfalls worked around.

The SDK parses frames, routes them to our handlers and builds the acks. We replace its connection
loop: the blocking `open_connection` (requests, no timeout) runs in a daemon thread with a
timeout; reconnects back off 1→60 s with jitter; `stop()` really stops (0.24.3 swallows the first
cancel). A SYSTEM `disconnect` frame reconnects at once (0.24.3 could stop delivering after one),
and a watchdog reconnects when no frame at all — DingTalk pings included — arrives for
[connections] watchdog_seconds. Only the replica holding the app's lease connects (bot/platforms/connections.py).
Handlers only store the event (inbox, milliseconds) and return, so DingTalk never
re-delivers for a late ack; the work runs in the dispatcher's background tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import dingtalk_stream
import requests
import websockets
from dingtalk_stream import CallbackHandler

from bot.core.stopping import cancel_and_wait, within
from bot.platforms.dingtalk.extras.stream_handlers import CardHandler, EventsHandler, RobotHandler

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("salesbot.dingtalk.stream")
OPEN_TIMEOUT = 10.0
MAX_BACKOFF = 60.0


def is_disconnect(frame: Any) -> bool:
    """Whether a frame is DingTalk's SYSTEM `disconnect` (the server is about to close this connection)."""
    headers = frame.get("headers") if isinstance(frame, dict) else None
    return bool(frame.get("type") == "SYSTEM" and isinstance(headers, dict) and headers.get("topic") == "disconnect")


async def in_thread(fn: Callable[[], Any], timeout: float) -> Any:
    """Run a blocking call in a daemon thread (a hung call never blocks the loop or process exit)."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if not done.done():
            done.set_exception(error) if error else done.set_result(result)

    def work() -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:  # handed to the awaiting coroutine
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed while we were blocked
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="dingtalk-blocking", daemon=True).start()
    return await within(done, timeout)


class StreamClient(dingtalk_stream.DingTalkStreamClient):
    """The SDK client with our connection loop: thread-isolated open, backoff, real stop."""

    def __init__(self, rt: Runtime) -> None:
        cfg = rt.settings.dingtalk
        super().__init__(dingtalk_stream.Credential(cfg.client_id, cfg.client_secret), logger=log)
        self.open_url = f"{cfg.api_base}/v1.0/gateway/connections/open"
        self.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, RobotHandler(rt))
        self.register_callback_handler(CallbackHandler.TOPIC_CARD_CALLBACK, CardHandler(rt))
        self.register_all_event_handler(EventsHandler(rt))
        self.connections = self.disconnects = self.watchdog_trips = 0
        self.name, self.board = f"dingtalk-stream:{cfg.client_id}", rt.connections
        self.watchdog = rt.settings.connections.watchdog_seconds
        self.open_timeout = rt.settings.connections.bootstrap_timeout_seconds or OPEN_TIMEOUT
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._frames: set[asyncio.Task] = set()

    def open_connection(self) -> dict | None:
        """Ask for an endpoint and ticket (blocking; always called through in_thread)."""
        topics = [{"type": "EVENT", "topic": "*"}] if self._is_event_required else []
        topics += [{"type": "CALLBACK", "topic": t} for t in self.callback_handler_map]
        body = {"clientId": self.credential.client_id, "clientSecret": self.credential.client_secret,
                "subscriptions": topics, "ua": f"dingtalk-sdk-python/v{dingtalk_stream.version.VERSION_STRING}-union",
                "localIp": ""}
        try:
            resp = requests.post(self.open_url, json=body, timeout=self.open_timeout,
                                 headers={"Accept": "application/json"})
            resp.raise_for_status()
            return resp.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("DingTalk stream: open connection failed; check client_id/client_secret and network",
                        extra={"error": str(exc)[:200]})
            return None

    def start_background(self) -> None:
        """Run the connection loop on the current event loop."""
        self._task = asyncio.get_running_loop().create_task(self.run(), name="dingtalk-stream")

    async def run(self) -> None:
        """Connect, serve frames, reconnect with backoff until stop()."""
        self.pre_start()
        failures = 0
        while not self._stopping.is_set():
            try:
                served = await self._serve_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("DingTalk stream connection dropped", extra={"error": f"{type(exc).__name__}: {exc}"})
                served = False
            failures = 0 if served else failures + 1
            delay = min(MAX_BACKOFF, 2 ** (failures - 1)) * random.uniform(0.5, 1.0) if failures else 0.2
            with contextlib.suppress(TimeoutError):
                await within(self._stopping.wait(), delay)

    async def _serve_once(self) -> bool:
        """One connection's life; True if it received frames (then reconnect at once)."""
        conn = await in_thread(self.open_connection, self.open_timeout + 2)
        if not conn or self._stopping.is_set():
            return False
        uri = f'{conn["endpoint"]}?ticket={quote_plus(conn["ticket"])}'
        served = False
        try:
            async with websockets.connect(uri, open_timeout=self.open_timeout, close_timeout=1) as ws:
                self.websocket, self.connections = ws, self.connections + 1
                self.board.mark(self.name, "up")
                while (raw := await self._next(ws)) is not None:
                    served = True
                    self.board.frame(self.name)
                    if not self._handle(raw):
                        break  # a disconnect frame: reconnect now (DingTalk closes its side ~10 s later)
        finally:
            self.board.mark(self.name, "down")
        return served

    async def _next(self, ws: Any) -> str | bytes | None:
        """The next frame, or None when the socket closed or nothing (not even a ping) came for watchdog s."""
        try:
            return await within(ws.recv(), self.watchdog)
        except TimeoutError:
            self.watchdog_trips += 1
            log.warning("DingTalk stream: no frame for a while; reconnecting", extra={"seconds": self.watchdog})
        except websockets.ConnectionClosed:
            pass
        return None

    def _handle(self, raw: str | bytes) -> bool:
        """Hand a frame to the SDK's routing in a tracked task; return False for a disconnect frame."""
        try:
            frame = json.loads(raw)
        except ValueError:
            log.warning("DingTalk stream sent a non-JSON frame; ignored")
            return True
        if is_disconnect(frame):
            self.disconnects += 1
            log.info("DingTalk stream: disconnect frame; reconnecting", extra={"data": str(frame.get("data"))[:200]})
            return False
        task = asyncio.get_running_loop().create_task(self.background_task(frame))
        self._frames.add(task)
        task.add_done_callback(self._frames.discard)
        return True

    async def stop(self, timeout: float = 3.0) -> None:
        """Close the socket, let in-flight acks finish briefly, and end the loop."""
        self._stopping.set()
        if self.websocket is not None:
            with contextlib.suppress(Exception):
                await within(self.websocket.close(), 1.0)
        if self._frames:
            await asyncio.wait(set(self._frames), timeout=timeout / 2)
        await cancel_and_wait([self._task], timeout / 2)
