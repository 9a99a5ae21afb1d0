"""A headless Chromium driven over the DevTools protocol with the `websockets` library we already ship.

Why not Playwright or Selenium: browsers cannot be downloaded here, Playwright pins its own Chromium build
(a Debian chromium of another version may not speak its protocol), and Selenium needs chromium-driver in
lock-step with the browser. The DevTools protocol is what both use underneath; the few commands a page check
needs (open a tab, set the viewport, navigate, evaluate, screenshot, collect console errors) fit here.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field

import websockets

LISTENING = re.compile(rb"DevTools listening on (ws://\S+)")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0")


def chromium_path() -> str | None:
    """Return the Chromium binary ($CHROMIUM, else chromium on PATH), or None when it is not installed."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageCheck:
    """What one page load showed: console errors, widths, and the screenshot."""

    url: str
    status: int = 0
    errors: list[str] = field(default_factory=list)
    scroll_width: int = 0
    view_width: int = 0
    bytes_loaded: int = 0
    text: str = ""
    png: bytes = b""

    @property
    def overflows(self) -> bool:
        """True when the page is wider than the viewport (a horizontal scrollbar on a phone)."""
        return self.scroll_width > self.view_width


class Browser:
    """One Chromium process; open pages one at a time with `check`."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._events: asyncio.Queue = asyncio.Queue()

    async def __aenter__(self) -> Browser:
        self._dir = tempfile.TemporaryDirectory(prefix="salesbot-chromium-", ignore_cleanup_errors=True)
        self.proc = await asyncio.create_subprocess_exec(self.binary, *FLAGS, f"--user-data-dir={self._dir.name}",
                                                         "about:blank", stdout=asyncio.subprocess.DEVNULL,
                                                         stderr=asyncio.subprocess.PIPE)
        url = await asyncio.wait_for(self._ws_url(), 30)
        self.ws = await websockets.connect(url, max_size=64 * 1024 * 1024)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _ws_url(self) -> str:
        while line := await self.proc.stderr.readline():
            if found := LISTENING.search(line):
                return found.group(1).decode()
        raise RuntimeError("chromium exited before it listened for DevTools")

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self.ws.close()
        self.proc.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.proc.wait(), 10)
        self._dir.cleanup()

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            if "id" in msg and msg["id"] in self._pending:
                self._pending.pop(msg["id"]).set_result(msg)
            else:
                await self._events.put(msg)

    async def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result; raise on a protocol error."""
        ident = next(self._ids)
        self._pending[ident] = asyncio.get_running_loop().create_future()
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        await self.ws.send(json.dumps(msg))
        reply = await asyncio.wait_for(self._pending[ident], 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def check(self, url: str, width: int, height: int, mobile: bool) -> PageCheck:
        """Open `url` in a fresh tab at width × height and report errors, overflow, weight and a screenshot."""
        target = (await self.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        session = (await self.send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            await self.send(f"{domain}.enable", {}, session)
        await self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                               "deviceScaleFactor": 1, "mobile": mobile}, session)
        result = PageCheck(url)
        await self.send("Page.navigate", {"url": url}, session)
        await self._until_loaded(session, result)
        probe = ("JSON.stringify([document.documentElement.scrollWidth, document.documentElement.clientWidth, "
                 "document.body ? document.body.innerText : ''])")
        value = (await self.send("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session))
        result.scroll_width, result.view_width, result.text = json.loads(value["result"]["value"])
        shot = await self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)
        result.png = base64.b64decode(shot["data"])
        await self.send("Target.closeTarget", {"targetId": target})
        return result

    async def _until_loaded(self, session: str, result: PageCheck) -> None:
        """Collect console errors, failed loads and response sizes until the load event fires."""
        while True:
            msg = await asyncio.wait_for(self._events.get(), 30)
            if msg.get("sessionId") != session:
                continue
            method, params = msg.get("method", ""), msg.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                result.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                result.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                result.errors.append(params["entry"].get("text", ""))
            elif method == "Network.responseReceived" and params.get("type") == "Document" and not result.status:
                result.status = int(params["response"]["status"])
            elif method == "Network.loadingFinished":
                result.bytes_loaded += int(params.get("encodedDataLength", 0))
            elif method == "Page.loadEventFired":
                return
