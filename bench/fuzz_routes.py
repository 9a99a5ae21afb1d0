"""The HTTP targets of the fuzz runner: every route of the app, and each platform's callbacks signed and
encrypted (bench/harness.py) around recorded payloads whose fields were swapped for wrong types."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from bench import harness
from bench.fuzz_inputs import bodies, mutated, seeds, to_xml

_FORM = "application/x-www-form-urlencoded"
QUERY_KEYS = ["after", "limit", "chat_id", "exp", "sig", "member", "msg_signature", "signature", "timestamp",
              "timeStamp", "nonce", "echostr", "week", "x"]
# ids as attackers write them: Unicode digits ("٣", "²"), beyond BIGINT, beyond int()'s 4300-digit limit
_NUMBERISH = (st.text(max_size=20) | st.integers(-5, 10**20).map(str)
              | st.sampled_from(["٣", "²", "9" * 30, "9" * 4400, "-0", "0x10", " 7"]))
_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path template) of every GET and POST route the app serves — new routes are fuzzed too."""
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter")
        if route.method in ("GET", "POST") and path and not path.startswith("/static"):
            found.add((route.method, path))
    return sorted(found)


class Routes:
    """HTTP targets against one app on loopback; each builds a request from a generated input."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: TestClient, rt) -> None:
        self.loop, self.client, self.rt = loop, client, rt
        self.tick = 0
        self.statuses: Counter[tuple[str, int]] = Counter()  # (path, status): shows the fuzz got past signatures

    def now(self) -> int:
        return int(self.rt.clock.now().timestamp())

    def fresh_ms(self) -> int:
        """A distinct millisecond per DingTalk request within the replay window (signatures are single-use)."""
        self.tick += 1
        return self.now() * 1000 - self.tick % 250_000

    def send(self, req: harness.Req, label: str = "") -> str:
        """Send one request; "" unless the answer is a 5xx."""
        async def go() -> int:
            async with self.client.request(req.method, req.path, data=req.body, headers=req.headers) as resp:
                await resp.read()
                return resp.status
        status = self.loop.run_until_complete(go())
        self.statuses[(label or req.path.split("?")[0], status)] += 1
        return f"HTTP {status} <- {req.method} {req.path[:80]} {req.body[:200]!r}" if status >= 500 else ""

    def targets(self) -> dict[str, tuple[st.SearchStrategy, Callable[[Any], str]]]:
        """name -> (strategy, check) of every route target."""
        any_route = st.tuples(st.sampled_from(app_routes(self.client.server.app)),
                              _NUMBERISH, st.dictionaries(st.sampled_from(QUERY_KEYS), _NUMBERISH, max_size=4),
                              bodies, st.sampled_from(["application/json", "text/xml", _FORM, ""]), st.booleans())
        ascii_json = lambda v: json.dumps(v).encode()  # noqa: E731  (ASCII: lone surrogates travel escaped)
        fs = [dict(p, **({"header": {**p["header"], "token": harness.FS_TOKEN}} if "header" in p
                         else {"token": harness.FS_TOKEN})) for p in seeds("feishu", "events")]
        return {
            "route/any": (any_route, self._any),
            "route/signed/wecom_app": (mutated(seeds("wecom", "app")),
                                       lambda f: self.send(harness.wecom_app(to_xml(f), self.now()))),
            "route/signed/wecom_bot": (mutated(seeds("wecom", "bot")),
                                       lambda p: self.send(harness.wecom_bot(json.dumps(p), self.now()))),
            "route/signed/dingtalk_robot": (mutated(seeds("dingtalk", "robot")), lambda p: self.send(
                harness.dingtalk_robot(ascii_json(p), self.fresh_ms()))),
            "route/signed/dingtalk_card": (mutated(seeds("dingtalk", "card")), lambda p: self.send(
                harness.dingtalk_card(ascii_json(p), self.fresh_ms()))),
            "route/signed/dingtalk_events": (mutated(seeds("dingtalk", "events")), lambda p: self.send(
                harness.dingtalk_event(ascii_json(p), self.now() * 1000))),
            "route/signed/feishu": (mutated(fs), lambda p: self.send(harness.feishu(ascii_json(p), self.now()))),
            "route/signed/intake": (mutated(seeds("intake", "intake")),
                                    lambda p: self.send(harness.intake(ascii_json(p)))),
            "route/playground": (mutated(seeds("playground", "message") + seeds("playground", "click")),
                                 lambda p: self.send(harness.playground("click" if "value" in str(p) else "message",
                                                                        ascii_json(p)))),
        }

    def _any(self, case: tuple) -> str:
        """Any route, its path parameters, query and body fuzzed; with or without the admin token."""
        (method, template), param, query, body, ctype, admin = case
        path = _PARAM.sub(lambda _: quote(param, safe="") or "x", template)
        headers = {"Content-Type": ctype} if ctype else {}
        if admin:
            headers["Authorization"] = "Bearer prove-admin-token"
        target = path + ("?" + urlencode(query) if query else "")
        return self.send(harness.Req(target, body if method == "POST" else b"", headers, method), template)
