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
import logging
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bench import harness
from bench.fuzz_routes import Routes
from bench.fuzz_targets import PARSERS
from bot.web.app import create_app
from storage.models import InboxEvent
from storage.repos import members

SEED = 19
BATCH = 8  # inputs per hypothesis example
PARSER_SHARE = 0.55  # of the cases; the rest go over HTTP


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
    client = TestClient(TestServer(create_app(rt)))
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
    quiet = logging.getLogger("salesbot")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # refusals are expected by the thousand
    try:
        return _run(cases, database_url)
    finally:
        quiet.setLevel(level)  # a caller's own logging (a test run) is left as it was


def _run(cases: int, database_url: str | None) -> list[tuple[str, int, int, int]]:
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
