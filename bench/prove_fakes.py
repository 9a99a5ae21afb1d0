"""The fake Feishu open platform for `make prove`, served on a port, with every request recorded and faults.

Wraps tests/fakes/feishu.FakeFeishu (which checks request shapes) in a middleware that notes the time,
path and target of every message request, and — while `faults` is on — answers a share of them with
5xx, 429 + 99991400, or a hang longer than the client's timeout, and expires the tenant tokens now and
then (a token expiring mid-batch).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.feishu import FakeFeishu

MESSAGE_PATHS = ("/open-apis/im/v1/messages",)


@dataclass
class Faults:
    """Shares of message requests that fail, and how often tokens expire."""

    server_error: float = 0.0
    throttle: float = 0.0
    hang: float = 0.0
    hang_seconds: float = 20.0
    token_every: int = 0  # expire every issued token after this many message requests (0 = never)
    counts: Counter = field(default_factory=Counter)


class Platform:
    """The fake plus what the prove run needs to judge: send times per target, replies per event."""

    def __init__(self) -> None:
        self.fake = FakeFeishu()
        self.faults = Faults()
        self.sends: dict[str, list[float]] = defaultdict(list)  # receive target -> request times
        self.app_sends: list[float] = []
        self.replies: Counter = Counter()  # replied-to message id -> accepted requests (uuid repeats included)
        self.seen = 0
        self.fake.app.middlewares.append(self._middleware)
        self.runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1:port (0: any free port); return the base URL."""
        self.runner = web.AppRunner(self.fake.app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        port = self.runner.addresses[0][1]  # port 0: the system picked a free one
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop serving."""
        if self.runner is not None:
            await self.runner.cleanup()

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        if not request.path.startswith(MESSAGE_PATHS):
            return await handler(request)
        self.seen += 1
        f = self.faults
        if f.token_every and self.seen % f.token_every == 0:
            self.fake.expire_tokens()
            f.counts["token_expired"] += 1
        roll = random.random()
        if roll < f.server_error:
            f.counts["5xx"] += 1
            return web.json_response({"code": 1, "msg": "internal error"}, status=503)
        if roll < f.server_error + f.throttle:
            f.counts["429"] += 1
            return web.json_response({"code": 99991400, "msg": "request trigger frequency limit"}, status=429,
                                     headers={"x-ogw-ratelimit-reset": "1"})
        if roll < f.server_error + f.throttle + f.hang:
            f.counts["hang"] += 1
            await asyncio.sleep(f.hang_seconds)  # the client gives up first: its send timed out
        response = await handler(request)
        if response.status == 200 and json.loads(response.text or "{}").get("code") == 0:
            self._record(request, await request.json())
        return response

    def _record(self, request: web.Request, body: dict) -> None:
        now = time.monotonic()
        parts = request.path.split("/")
        if request.path.endswith("/reply"):
            self.replies[parts[-2]] += 1
            target = parts[-2].rsplit("_", 1)[0]  # the load names messages om_<chat>_<n>: the cap is per chat
        else:
            target = str(body.get("receive_id") or parts[-1])
        self.sends[target].append(now)
        self.app_sends.append(now)
