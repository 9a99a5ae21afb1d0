"""A small headless-Chromium driver over the DevTools protocol (no extra dependency: aiohttp + websockets).

Kept self-contained on purpose (the reports branch builds the general harness). Tests skip with the reason
when Debian's `chromium` is not installed (`apt-get install -y chromium`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import websockets

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SKIP = "Debian chromium is not installed (apt-get install -y chromium); browser test skipped"


class Browser:
    """One headless page at a phone's size; `evaluate` runs JavaScript in it and returns the value."""

    def __init__(self, width: int = 375, height: int = 667) -> None:
        self.width, self.height = width, height
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        self._dir = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)  # chromium's helpers may still be writing
        self._proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             f"--user-data-dir={self._dir.name}", "--no-first-run", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self._dir.name, "DevToolsActivePort")
        for _ in range(200):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.05)
        port = port_file.read_text().split()[0]
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/json/list") as resp:
            page = next(t for t in await resp.json() if t["type"] == "page")
        self._ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=2**24)
        await self.send("Page.enable")
        await self.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                                                              "deviceScaleFactor": 2, "mobile": True})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()
        self._proc.terminate()
        self._proc.wait(timeout=10)
        self._dir.cleanup()

    async def send(self, method: str, params: dict | None = None) -> dict[str, Any]:
        """Send one DevTools command and return its result (events in between are skipped)."""
        ident = next(self._ids)
        await self._ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        while True:
            msg = json.loads(await asyncio.wait_for(self._ws.recv(), 30))
            if msg.get("id") == ident:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def before_load(self, script: str) -> None:
        """Run `script` in every document before its own scripts (stubs such as `wx`)."""
        await self.send("Page.addScriptToEvaluateOnNewDocument", {"source": script})

    async def open(self, url: str) -> None:
        """Navigate and wait until the document has loaded."""
        await self.send("Page.navigate", {"url": url})
        for _ in range(200):
            if await self.evaluate("document.readyState") == "complete":
                return
            await asyncio.sleep(0.05)

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (promises awaited) and return its JSON value."""
        result = await self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                      "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "script failed"))
        return result["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 10) -> Any:
        """Poll until `expression` is truthy; return its value."""
        for _ in range(int(seconds / 0.1)):
            try:
                value = await self.evaluate(f"!!({expression})")
            except RuntimeError:  # the document was replaced mid-call (a navigation): look again
                value = False
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for: {expression}")
