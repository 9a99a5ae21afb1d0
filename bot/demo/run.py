"""`salesbot demo`: ninety days of a sales company, played through the product on a moved clock."""

from __future__ import annotations

import copy
import random
import tempfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from bot.cli.importer import import_members
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.demo import setup
from bot.demo.calendar import job_times, working
from bot.demo.org import Org
from bot.demo.people import Leads
from bot.demo.pool import PoolWatch
from bot.demo.sim import Sim
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from flows import handover
from storage import demo as store
from storage.db import Database
from storage.repos import outbox as outbox_repo

DAYS = 90
# Who leaves the company two thirds of the way in (members CSV `active` = 0, then `salesbot handover`), and who
# takes over.
LEAVER, SUCCESSOR, LEAVES_AFTER = "李博", "赵刚", 0.7
COUNTED = ("team", "member", "customer", "contact", "lead", "lead_event", "opportunity", "evidence", "approval",
           "interaction", "task", "customer_order", "customer_event", "grade_history", "outbox")


async def seed_demo(db: Database, settings: Settings, now: datetime, reset: bool = False, seed: int = 7,
                    days: int = DAYS) -> dict[str, int]:
    """Play the demo company's last `days` days up to `now`; return rows per table, or {} when members exist."""
    if now.tzinfo is None:
        raise ValueError("seed_demo needs an aware datetime: pass datetime.now(UTC)")
    if reset:
        await store.wipe(db)
    elif not await store.is_empty(db):
        return {}
    end = now.astimezone(UTC).replace(microsecond=0)
    start = end - timedelta(days=days)
    clock = ManualClock(start)
    rt = Runtime(offline(settings), clock=clock, db=db, apis={"playground": PlaygroundAPI()})
    rt.inbox.start()
    try:
        await _play(rt, clock, random.Random(seed), start, end)
    finally:
        await rt.dispatcher.stop()
        await rt.inbox.stop()
    return await store.row_counts(db, COUNTED)


def offline(settings: Settings) -> Settings:
    """The settings the demo runs with: every message to the playground, never to a real platform (the demo's
    people have made-up platform ids)."""
    out = copy.deepcopy(settings)
    out.wecom.enabled = out.dingtalk.enabled = out.feishu.enabled = False
    out.playground.enabled = True
    return out


async def _play(rt: Runtime, clock: ManualClock, rng: random.Random, start: datetime, end: datetime) -> None:
    org = await setup.people(rt.db)
    await setup.scripts(rt.db, rt.settings)
    await setup.history(rt.db, rt.settings, start)
    sim = Sim(rt, clock, rng, end)
    leads = Leads(sim, org, rng)
    PoolWatch(sim, org, rng)
    leads.arrivals(start, end)
    for at, name in job_times(rt.settings, start, end):
        sim.at(at, partial(sim.job, name))
    leaves = working(rt.settings, start + (end - start) * LEAVES_AFTER)
    sim.at(leaves, partial(_leave, sim, org, leads))
    await sim.run()
    await sim.job("sla_scan")  # the minute the demo ends, as the every-minute scan would
    await outbox_repo.mark_playground_delivered(rt.db, end)


async def _leave(sim: Sim, org: Org, leads: Leads) -> None:
    """A rep leaves: the admin sets them inactive in the members CSV and hands their book to a teammate."""
    by_name = {p.name: p for p in org.people.values()}
    source, target = by_name.get(LEAVER), by_name.get(SUCCESSOR)
    if source is None or target is None:
        return
    with tempfile.TemporaryDirectory(prefix="salesbot-demo-") as tmp:
        path = Path(tmp) / "members.csv"
        path.write_text(setup.member_row(LEAVER, {"active": "0"}), encoding="utf-8")
        await import_members(sim.rt.db, path)
    async with sim.rt.db.session() as session:
        await handover.handover(await sim.rt.context(session), LEAVER, SUCCESSOR, dry_run=False)
    org.leaving.add(source.id)
    sim.gone.add(source.id)
    leads.deals.hand_over(source.id, target.id)
    await sim.observe()
