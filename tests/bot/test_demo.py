"""The demo company is played through the real flows: the story it tells is one the product can reach.

One thirty-day run on SQLite (pool windows of a week, so leads left alone reach the pool and are claimed
again) is shared by the story tests; it only reads. Short runs check determinism, reset and the no-op rerun.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.clock import ManualClock
from bot.demo import is_empty, seed_demo
from bot.platforms.playground.api import PlaygroundAPI
from bot.runtime import Runtime
from scheduler.core import run_job
from storage import models as m
from storage.db import Database
from storage.models import CustomerEvent, GradeHistory, LeadEvent, Order, StageChange
from storage.repos import push_reports
from tests.conftest import make_settings
from tests.schema import migrate

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # a Friday, 14:00 in Shanghai
DAYS = 30
POOL = {"reclaim_days_without_follow_up": 7, "warn_days_before": 2, "claim_cooldown_days": 7}


def story_settings(url: str):
    """The built-in defaults, with a team's one-week pool window."""
    return make_settings(url, pool=POOL)


async def _seed(url: str, days: int, seed: int = 7) -> dict[str, int]:
    db = Database(url)
    try:
        await migrate(db)
        return await seed_demo(db, story_settings(url), NOW, seed=seed, days=days)
    finally:
        await db.close()


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> str:
    """The database file of one thirty-day demo run (seeded once for the module, in its own event loop)."""
    path = tmp_path_factory.mktemp("demo") / "story.db"
    asyncio.run(_seed(f"sqlite+aiosqlite:///{path}", DAYS))
    return str(path)


@pytest.fixture
async def db(story, tmp_path):
    """A private copy of the story database (a test may run jobs on it)."""
    copy = tmp_path / "copy.db"
    shutil.copy(story, copy)
    database = Database(f"sqlite+aiosqlite:///{copy}")
    yield database
    await database.close()


async def rows(db: Database, stmt) -> list:
    async with db.session() as s:
        return list((await s.execute(stmt)).all())


async def count(db: Database, model, *where) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_the_company_and_its_history_came_in_through_the_importers(db):
    assert await count(db, m.Team) == 3 and await count(db, m.Member, m.Member.role == "rep") == 20
    assert await count(db, m.Member, m.Member.is_new) == 4
    assert await count(db, Order, Order.source == "import") > 50  # the years before the bot, from the XLSX
    assert await count(db, m.Interaction, m.Interaction.import_key.is_not(None)) > 100
    assert await count(db, m.Customer, m.Customer.in_pool) > 0


async def test_a_lead_converted_by_new_opportunity_counts_in_the_weekly_conversion(db):
    said = await rows(db, select(m.InboxEvent.event).where(m.InboxEvent.kind == "message"))
    opened = [e for (e,) in said if e["text"].startswith("新建商机 ")]
    assert opened
    converted = await rows(db, select(LeadEvent.lead_id, LeadEvent.at, LeadEvent.member_id)
                           .where(LeadEvent.kind == "converted"))
    assert converted and all(member is not None for *_, member in converted)
    async with db.session() as s:
        week = await push_reports.week_numbers(s, NOW - timedelta(days=DAYS), NOW)
    assert sum(w.converted for w in week.values()) == len(converted)
    assert await count(db, m.OutboxMessage, m.OutboxMessage.idempotency_key.like("weekly_report:%")) > 0


async def test_leads_are_accepted_from_their_card_and_answered_from_it(db):
    clicks = await rows(db, select(m.InboxEvent.event).where(m.InboxEvent.kind == "card_action"))
    values = [e["action"] for (e,) in clicks]
    assert any(v.startswith("lead.accept") for v in values)
    assert any(v.startswith("lead.log") for v in values)  # 记跟进 with the text typed into the card
    answered = await count(db, m.Lead, m.Lead.first_response_at.is_not(None))
    assert answered > await count(db, m.Lead) // 2
    late = await count(db, LeadEvent, LeadEvent.kind == "breached")
    assert 0 < late < answered  # the scan flagged the slow ones, not the rest


async def test_reps_enter_leads_and_customers_from_the_phone_and_give_some_back(db):
    said = [e["text"] for (e,) in await rows(db, select(m.InboxEvent.event).where(m.InboxEvent.kind == "message"))]
    assert any(t.startswith("新线索 ") for t in said) and any(t.startswith("客户 ") for t in said)
    assert await count(db, LeadEvent, LeadEvent.kind == "received", LeadEvent.note.like("手动录入%")) > 0
    assert await count(db, CustomerEvent, CustomerEvent.kind == "updated") > 0  # 客户 … 联系人 … 手机 …
    assert await count(db, CustomerEvent, CustomerEvent.kind == "released") > 0  # 放弃 <客户> <原因>


async def test_a_lead_left_alone_goes_to_the_pool_and_a_teammate_claims_it(db):
    events = await rows(db, select(CustomerEvent.customer_id, CustomerEvent.kind, CustomerEvent.owner_from,
                                   CustomerEvent.owner_to).order_by(CustomerEvent.id))
    last_owner, claims = {}, []
    for cid, kind, owner_from, owner_to in events:
        if kind == "reclaimed":
            last_owner[cid] = owner_from
        elif kind == "claimed" and cid in last_owner:
            claims.append((last_owner.pop(cid), owner_to))
    assert claims and all(before != after for before, after in claims)
    assert await count(db, m.Lead, m.Lead.status == "pool") > 0


async def test_deals_move_through_the_gates_and_close(db):
    by_status = dict(await rows(db, select(m.Opportunity.status, func.count()).group_by(m.Opportunity.status)))
    assert by_status.get("won", 0) > 0 and by_status.get("open", 0) > 0
    assert await count(db, Order, Order.source == "deal") == by_status["won"]  # a won deal is its first order
    changes = await rows(db, select(StageChange.to_stage, StageChange.via))
    assert ("demo", "evidence") in changes and ("won", "won") in changes


async def test_grading_shows_grades_with_reasons(db):
    graded = await rows(db, select(GradeHistory.to_grade, GradeHistory.reason))
    assert {g for g, _ in graded} <= {"战略伙伴", "高潜成长", "稳定续费", "休眠唤醒"}
    assert graded and all(reason for _, reason in graded)


async def test_a_leaving_rep_hands_over_and_gets_no_new_leads(db):
    [(leaver_id, active)] = await rows(db, select(m.Member.id, m.Member.active).where(m.Member.name == "李博"))
    assert active is False
    assert await count(db, CustomerEvent, CustomerEvent.kind == "handover") > 0
    handed = (await rows(db, select(func.max(CustomerEvent.at)).where(CustomerEvent.kind == "handover")))[0][0]
    assigned_after = await count(db, LeadEvent, LeadEvent.kind == "assigned", LeadEvent.member_id == leaver_id,
                                 LeadEvent.at > handed)
    assert assigned_after == 0


async def test_nothing_failed_and_nothing_went_to_a_real_platform(db):
    assert await count(db, m.InboxEvent, m.InboxEvent.status != "done") == 0
    platforms = {p for (p,) in await rows(db, select(m.OutboxMessage.platform).distinct())}
    assert platforms == {"playground"}
    titles = [p["card"]["title"] for (p,) in await rows(db, select(m.OutboxMessage.payload)) if p.get("card")]
    assert "刚才没处理成功" not in titles


async def test_the_playground_shows_the_history_at_once(db):
    assert await count(db, m.OutboxMessage, m.OutboxMessage.status == "pending",
                       m.OutboxMessage.next_attempt_at <= NOW) == 0


async def test_the_first_scan_after_the_demo_reclaims_nothing(db):
    settings = story_settings(db.url)
    rt = Runtime(settings, clock=ManualClock(NOW + timedelta(minutes=1)), db=db, apis={"playground": PlaygroundAPI()})
    scan = (await run_job(rt, "sla_scan")).summary
    assert "收回 0 条" in scan, scan


async def test_the_same_seed_tells_the_same_story(tmp_path):
    snapshots = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        url = f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
        await _seed(url, 1, seed)
        db = Database(url)
        names = [n for (n,) in await rows(db, select(m.Customer.name).order_by(m.Customer.id))]
        statuses = sorted(await rows(db, select(m.Lead.status, func.count()).group_by(m.Lead.status)))
        snapshots.append((names, statuses))
        await db.close()
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] != snapshots[2]


async def test_a_second_run_is_a_no_op_and_reset_starts_over(migrated_db):
    settings = story_settings(migrated_db.url)
    assert await is_empty(migrated_db)
    first = await seed_demo(migrated_db, settings, NOW, days=1)
    assert first["member"] == 24 and first["lead"] > 0
    assert await seed_demo(migrated_db, settings, NOW, days=1) == {}
    again = await seed_demo(migrated_db, settings, NOW + timedelta(days=1), reset=True, days=1)
    assert again["member"] == 24 and again["team"] == 3


async def test_naive_now_is_refused(migrated_db):
    with pytest.raises(ValueError, match="aware"):
        await seed_demo(migrated_db, story_settings(migrated_db.url), datetime(2026, 11, 27, 6, 0))
