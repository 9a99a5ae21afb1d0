"""Opportunity repositories on SQLite and PostgreSQL: script use dedupe, adoption counts, approvals decided once."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Approval, Customer, Member, Opportunity
from storage.repos import approvals, scripts

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


async def _seed(s) -> tuple[int, int, int]:
    rep, other = Member(name="李娜"), Member(name="王强")
    s.add_all([rep, other])
    await s.flush()
    customer = Customer(name="华东医疗", normalized_name="华东医疗", owner_id=rep.id)
    s.add(customer)
    await s.flush()
    opp = Opportunity(customer_id=customer.id, owner_id=rep.id, stage="demo", stage_entered_at=NOW)
    s.add(opp)
    await s.flush()
    return rep.id, other.id, opp.id


def _row(key: str, stage: str = "needs", industry: str = "医疗") -> dict:
    return {"key": key, "title": f"标题{key}", "text": "正文", "stage": stage, "industry": industry, "band": "",
            "scenario": "", "keywords": ["影像"]}


async def test_scripts_upsert_candidates_use_and_stats(migrated_db):
    db = migrated_db
    async with db.session() as s:
        rep, other, opp = await _seed(s)
        assert await scripts.upsert(s, [_row("a"), _row("b", "demo"), _row("c", "", ""), _row("d", "demo", "金融")],
                                    "p", NOW) == (4, 0)
        assert await scripts.upsert(s, [_row("a")], "p", NOW) == (0, 1)
        by_key = {r.key: r.id for r in await scripts.candidates(s, "demo", "")}
        assert set(by_key) == {"b", "c", "d"}
        assert {r.key for r in await scripts.candidates(s, "demo", "医疗")} == {"b", "c"}
        ids = [by_key["b"], by_key["c"]]
        for _ in range(2):  # the same day counts once
            await scripts.record(s, "shown", ids, opp, rep, NOW, "2026-11-27")
        await scripts.record(s, "shown", ids[:1], opp, rep, NOW, "2026-11-28")
        await scripts.record(s, "shown", ids[:1], opp, other, NOW, "2026-11-27")
        await scripts.record(s, "used", ids[:1], opp, rep, NOW, "2026-11-27")
        assert await scripts.adoption(s, ids) == {ids[0]: (3, 1), ids[1]: (1, 0)}
        assert await scripts.stats_by_script(s) == [("标题b", 3, 1), ("标题c", 1, 0)]
        assert await scripts.stats_by_rep(s) == [("李娜", 3, 1), ("王强", 1, 0)]


async def test_approvals_are_found_by_instance_or_id_and_decided_once(migrated_db):
    async with migrated_db.session() as s:
        rep, boss, opp = await _seed(s)
        a = await approvals.add(s, Approval(opportunity_id=opp, requested_by=rep, from_stage="demo", to_stage="quote",
                                            platform="dingtalk", chat_id="c1", created_at=NOW))
        assert (await approvals.pending_for(s, opp)).id == a.id
        await approvals.attach_instance(s, a.id, "PROC-1")
        assert (await approvals.find(s, "dingtalk", "PROC-1")).id == a.id
        assert (await approvals.find(s, "feishu", str(a.id))).id == a.id
        assert await approvals.find(s, "dingtalk", "PROC-2") is None
        assert await approvals.decide(s, a.id, "approved", boss, "好", NOW)
        assert not await approvals.decide(s, a.id, "rejected", boss, "晚了", NOW)
        assert await approvals.pending_for(s, opp) is None
        decided = await approvals.latest_decided(s, opp)
        assert (decided.status, decided.remark) == ("approved", "好")
