"""Attack repositories (cards, stats) on SQLite and PostgreSQL: tasks per action, ticks once, known numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from storage.models import AttackCard, Customer, Member, Opportunity, Task, Team, metadata
from storage.repos import attack, attack_stats

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
AS_OF = T0 + timedelta(days=10)
ROI = ["发送行业ROI测算模板", "预约财务负责人线上答疑", "提供分阶段付款方案"]
DIFF = ["问清客户在比哪几家", "整理对比表", "安排差异点演示"]


async def _people(s) -> dict[str, int]:
    east, south = Team(name="华东"), Team(name="华南")
    s.add_all([east, south])
    await s.flush()
    boss = Member(name="韩总", role="manager", team_id=east.id)
    rows = [boss, Member(name="新人甲", is_new=True, team_id=east.id),
            Member(name="新人乙", is_new=True, team_id=east.id), Member(name="老王", team_id=south.id)]
    s.add_all(rows)
    await s.flush()
    return {m.name: m.id for m in rows}


async def _card(s, owner: int, status: str, scenario: str, strategy: str, titles: list[str], dues: list[int],
                done: list[bool], created: datetime = T0) -> AttackCard:
    customer = Customer(name=f"客户{owner}{status}{scenario}{created.month}",
                        normalized_name=f"客户{owner}{status}{scenario}{created.month}", owner_id=owner)
    s.add(customer)
    await s.flush()
    opp = Opportunity(customer_id=customer.id, owner_id=owner, status=status, created_at=created)
    s.add(opp)
    await s.flush()
    card = AttackCard(opportunity_id=opp.id, owner_id=owner, scenario=scenario, scenario_name=scenario,
                      strategy=strategy, strategy_name=strategy, created_at=created)
    steps = [(t, created + timedelta(days=d)) for t, d in zip(titles, dues, strict=True)]
    await attack.create_card(s, card, steps, customer.name)
    for line, finished in zip(await attack.checklist(s, card.id), done, strict=True):
        if finished:
            assert await attack.tick(s, card.id, line.id, owner, created + timedelta(days=1))
    return card


async def _dataset(s) -> dict[str, int]:
    p = await _people(s)
    a, b, c = p["新人甲"], p["新人乙"], p["老王"]
    await _card(s, a, "won", "budget", "roi", ROI, [1, 3, 5], [True, False, True])
    await _card(s, b, "lost", "budget", "roi", ROI, [1, 3, 5], [True, False, False])
    await _card(s, c, "won", "budget", "roi", ROI, [1, 3, 5], [True, True, True])
    await _card(s, c, "open", "competitor", "diff", DIFF, [1, 20, 20], [True, False, False])  # 2 not due yet
    await _card(s, a, "lost", "budget", "roi", ROI, [1, 3, 5], [False, False, False], created=T0 - timedelta(days=30))
    return p


async def test_create_card_makes_one_task_per_action_and_ticks_once(migrated_db):
    async with migrated_db.session() as s:
        p = await _people(s)
        card = await _card(s, p["新人甲"], "open", "budget", "roi", ROI, [1, 3, 5], [False, False, False])
        tasks = (await s.execute(select(Task).order_by(Task.id))).scalars().all()
        lines = await attack.checklist(s, card.id)
        assert [t.kind for t in tasks] == ["attack_action"] * 3
        assert [t.ref for t in tasks] == [f"attack:{card.id}:{line.id}" for line in lines]
        assert [t.due_at for t in tasks] == [T0 + timedelta(days=d) for d in (1, 3, 5)]
        assert {t.owner_id for t in tasks} == {p["新人甲"]}
        assert tasks[0].title == f"客户{p['新人甲']}openbudget11：{ROI[0]}"
        assert await attack.tick(s, card.id, lines[0].id, p["韩总"], AS_OF, "截图")
        assert not await attack.tick(s, card.id, lines[0].id, p["韩总"], AS_OF)  # second click: nothing changes
        assert not await attack.tick(s, card.id + 1, lines[1].id, p["韩总"], AS_OF)  # not this card's action
        first = (await attack.checklist(s, card.id))[0]
        assert (first.done_at, first.done_by, first.evidence) == (AS_OF, "韩总", "截图")
        assert not await attack.close_if_complete(s, card, AS_OF)
        await s.execute(update(Task).values(done_at=AS_OF))  # finished from the must-do list
        assert await attack.close_if_complete(s, card, AS_OF) and card.status == "done"
        assert await attack.open_cards(s, card.opportunity_id) == []


async def test_heatmap_numbers(migrated_db):
    async with migrated_db.session() as s:
        p = await _dataset(s)
        cells = await attack_stats.heatmap(s, T0 - timedelta(days=1), AS_OF, AS_OF)
        got = {(c.name, c.title): (c.due, c.done) for c in cells}
        assert got == {("新人甲", ROI[0]): (1, 1), ("新人甲", ROI[1]): (1, 0), ("新人甲", ROI[2]): (1, 1),
                       ("新人乙", ROI[0]): (1, 1), ("新人乙", ROI[1]): (1, 0), ("新人乙", ROI[2]): (1, 0),
                       ("老王", ROI[0]): (1, 1), ("老王", ROI[1]): (1, 1), ("老王", ROI[2]): (1, 1),
                       ("老王", DIFF[0]): (1, 1)}
        assert all(c.is_new == c.name.startswith("新人") for c in cells)
        team = await attack_stats.team_member_ids(s, await s.get(Member, p["韩总"]))
        assert sorted(team) == sorted([p["韩总"], p["新人甲"], p["新人乙"]])
        scoped = await attack_stats.heatmap(s, T0 - timedelta(days=1), AS_OF, AS_OF, team)
        assert {c.name for c in scoped} == {"新人甲", "新人乙"}
        assert await attack_stats.scope_members(s, "all") is None
        assert sorted(await attack_stats.scope_members(s, f"mgr:{p['韩总']}")) == sorted(team)


async def test_monthly_report_numbers(migrated_db):
    async with migrated_db.session() as s:
        await _dataset(s)
        nov = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        actions = {(a.strategy, a.title): a for a in await attack_stats.action_stats(s, *nov, AS_OF)}
        assert set(actions) == {("roi", t) for t in ROI} | {("diff", DIFF[0])}
        fields = ("due", "done", "done_closed", "done_won", "skipped_closed", "skipped_won")
        numbers = {k[1]: tuple(getattr(a, f) for f in fields) for k, a in actions.items()}
        assert numbers[ROI[0]] == (3, 3, 3, 2, 0, 0)
        assert numbers[ROI[1]] == (3, 1, 1, 1, 2, 1)
        assert numbers[ROI[2]] == (3, 2, 2, 2, 1, 0)
        assert numbers[DIFF[0]] == (1, 1, 0, 0, 0, 0)
        strategies = {x.strategy: (x.cards, x.due, x.done, x.closed, x.won)
                      for x in await attack_stats.strategy_stats(s, *nov, AS_OF)}
        assert strategies == {"roi": (3, 9, 6, 3, 2), "diff": (1, 1, 1, 0, 0)}
        october = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
        assert [(x.strategy, x.cards, x.due, x.done, x.closed, x.won)
                for x in await attack_stats.strategy_stats(s, *october, AS_OF)] == [("roi", 1, 3, 0, 1, 0)]


async def test_playbook_pack_newest_wins(migrated_db):
    async with migrated_db.session() as s:
        assert await attack.latest_pack(s) is None
        await attack.save_pack(s, "旧", "a", T0)
        await attack.save_pack(s, "新", "b", T0 + timedelta(hours=1))
        assert (await attack.latest_pack(s)).source == "b"


async def test_migration_0700_matches_the_models(migrated_db):
    def diff(connection) -> list:
        ctx = MigrationContext.configure(connection, opts={"compare_type": False})
        return [d for d in compare_metadata(ctx, metadata) if "attack" in repr(d)]

    async with migrated_db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
