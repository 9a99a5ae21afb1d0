"""The fuzz runner (hypothesis): every parser, and every route over HTTP on loopback — unsigned hostile
bodies, and recorded payloads with wrong-typed fields properly signed and encrypted so that they get
past the signature check into the adapters.

A case fails when a parser raises anything but its declared refusal, or a route answers 5xx (there are
no injected faults here, so even a declared 503 means an unexpected error). `run(cases)` spreads `cases`
over the targets and returns [(name, tried, passed, failed)]; `make test` runs a few hundred with a
fixed seed, `make prove` ≥ 100,000. `python -m bench.prove_fuzz [CASES]` prints one line per target.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bench import harness
from bench.fuzz_inputs import bodies, mutated, seeds, to_xml
from bench.fuzz_targets import PARSERS
from bot.web.app import create_app
from storage.models import InboxEvent
from storage.repos import members

SEED = 19
BATCH = 8  # inputs per hypothesis example
_FORM = "application/x-www-form-urlencoded"
PARSER_SHARE = 0.55  # of the cases; the rest go over HTTP
QUERY_KEYS = ["after", "limit", "chat_id", "exp", "sig", "member", "msg_signature", "signature", "timestamp",
              "timeStamp", "nonce", "echostr", "week", "x"]
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


@dataclass
class Tally:
    """Counts of one target, and the first few failing inputs."""

    tried: int = 0
    failed: int = 0
    examples: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        """Count a failure and keep its description (the first five)."""
        self.failed += 1
        if len(self.examples) < 5:
            self.examples.append(what[:400])


def drive(strategy: st.SearchStrategy, check: Callable[[Any], str], n: int, batch: int = BATCH) -> Tally:
    """Feed about `n` generated inputs to `check` (which returns "" or the problem); never stop at a failure.

    Inputs come `batch` to an example: hypothesis spends most of its time per example, not per draw.
    """
    tally = Tally()

    @seed(SEED)
    @settings(max_examples=max(1, -(-n // batch)), database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(strategy, min_size=batch, max_size=batch))
    def inner(values: list[Any]) -> None:
        for value in values:
            tally.tried += 1
            problem = check(value)
            if problem:
                tally.fail(problem)

    if n > 0:
        inner()
    return tally


def parser_check(fn: Callable[[Any], Any], refusals: tuple[type[BaseException], ...]) -> Callable[[Any], str]:
    """Wrap a parser: a declared refusal passes, any other exception is the failure."""
    def check(value: Any) -> str:
        try:
            fn(value)
        except refusals:
            return ""
        except Exception as exc:
            return f"{type(exc).__name__}: {exc} <- {value!r:.200}"
        return ""
    return check


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
                              st.text(max_size=20) | st.integers(-5, 10**20).map(str),
                              st.dictionaries(st.sampled_from(QUERY_KEYS), st.text(max_size=20), max_size=4),
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


def _shares(cases: int, names: list[str], share: float) -> dict[str, int]:
    each = max(1, int(cases * share) // max(1, len(names)))
    return dict.fromkeys(names, each)


async def _app(url: str):
    rt = await harness.runtime(url)
    async with rt.db.session() as s:
        await members.upsert(s, "模糊测试", {"role": "manager"}, "华东大客户部", {})
        member = await members.by_name(s, "模糊测试")
        for platform, uid in (("wecom", "lina"), ("dingtalk", "u001"), ("feishu", "ou_rep1")):
            await members.link_identity(s, member.id, platform, uid)
    client = TestClient(TestServer(create_app(rt, start_services=False)))
    await client.start_server()
    return rt, client


async def _handled(rt) -> Tally:
    """Events that got past every check reach the handlers: a failed handler is a failure too."""
    async with rt.db.sessions() as s:
        rows = (await s.execute(select(InboxEvent.status, InboxEvent.error))).all()
    tally = Tally(tried=len(rows))
    for status, error in rows:
        if status == "failed":
            tally.fail(error or "failed")
    return tally


def run(cases: int, database_url: str | None = None) -> list[tuple[str, int, int, int]]:
    """Fuzz every parser and route with about `cases` inputs in all; return [(name, tried, passed, failed)].

    The app runs on a fresh SQLite file, or a throwaway schema of `database_url` (or $PROVE_DATABASE_URL).
    """
    logging.getLogger("salesbot").setLevel(logging.CRITICAL)  # refusals are expected by the thousand
    results: dict[str, Tally] = {}
    for name, n in _shares(cases, list(PARSERS), PARSER_SHARE).items():
        strategy, fn, refusals = PARSERS[name]
        results[name] = drive(strategy, parser_check(fn, refusals), n)
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        place = harness.database(database_url or os.environ.get("PROVE_DATABASE_URL"), tmp)
        rt, client = loop.run_until_complete(_app(loop.run_until_complete(place.__aenter__())))
        try:
            routes = Routes(loop, client, rt)
            targets = routes.targets()
            for name, n in _shares(cases, list(targets), 1 - PARSER_SHARE).items():
                results[name] = drive(*targets[name], n)
            loop.run_until_complete(rt.dispatcher.drain())
            results["dispatch/handlers"] = loop.run_until_complete(_handled(rt))
            unexpected = sum(v for (k, _), v in rt.metrics.counters.items() if k == "salesbot_unexpected_errors_total")
            results["route/unexpected_errors"] = Tally(tried=1, failed=int(bool(unexpected)))
            STATUSES.clear()
            STATUSES.update(routes.statuses)
        finally:
            loop.run_until_complete(client.close())
            loop.run_until_complete(rt.stop())
            loop.run_until_complete(place.__aexit__(None, None, None))
            loop.close()
    global LAST
    LAST = results
    return [(name, t.tried, t.tried - t.failed, t.failed) for name, t in results.items()]


LAST: dict[str, Tally] = {}  # the last run's tallies, with failing examples, for reports
STATUSES: Counter[tuple[str, int]] = Counter()  # the last run's answers per (path, status)


if __name__ == "__main__":
    for name, tried, passed, failed in run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):
        print(f"{name}: tried {tried}, passed {passed}, failed {failed}")
        for example in LAST[name].examples:
            print(f"    {example}")
    print("answers:", ", ".join(f"{p} {st}×{n}" for (p, st), n in sorted(STATUSES.items())))
