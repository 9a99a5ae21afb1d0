"""本周建议 per rep and per team: from their own deals, in the seed's words, silent when the evidence is thin."""

from __future__ import annotations

from datetime import timedelta

from scheduler.core import run_job
from storage.models import StageChange
from storage.repos import outbox
from tests.helpers import add_member
from tests.report_seed import Seed


async def _deals(rt, owner: int, quick: int, quick_won: int, slow: int, slow_won: int) -> None:
    """Manufacturing deals closed last month; `quick` of them quoted within 3 days of the demo."""
    seed, now = Seed(rt), rt.clock.now()
    for i in range(quick + slow):
        fast = i < quick
        won = i < quick_won if fast else i - quick < slow_won
        start = now - timedelta(days=40 + i % 5)
        cust = await seed.customer(owner, "制造业", created=start)
        deal = await seed.deal(owner, cust, "quote", start, status="won" if won else "lost",
                               closed=start + timedelta(days=20))
        quote = start + timedelta(days=2 if fast else 9)
        async with rt.db.session() as s:
            s.add(StageChange(opportunity_id=deal, from_stage="needs", to_stage="demo", via="evidence", at=start))
            s.add(StageChange(opportunity_id=deal, from_stage="demo", to_stage="quote", via="evidence", at=quote))


async def _sent(rt, target: str) -> list[dict]:
    rows = await outbox.recent(rt.db, "playground", target=target, limit=50)
    return [r.payload["card"] for r in rows if r.idempotency_key.startswith("weekly_insight:")]


async def test_rep_with_enough_deals_gets_the_seed_sentence_and_thin_reps_nothing(rt):
    li, wang = await add_member(rt, "李娜"), await add_member(rt, "王强")
    await _deals(rt, li, quick=10, quick_won=9, slow=10, slow_won=2)
    await _deals(rt, wang, quick=3, quick_won=3, slow=3, slow_won=0)
    result = await run_job(rt, "weekly_insight")
    assert result.status == "done", result.error
    (card,) = await _sent(rt, f"dm:{li}")
    text = card["sections"][0]["text"]
    assert text == "您跟进的制造业客户，方案演示后3天内报价，成单率提升4.5倍"
    assert card["footer"].startswith("基于20个客户") and "z=" not in str(card) and "n=" not in str(card)
    assert await _sent(rt, f"dm:{wang}") == []
    assert "1 人证据不足" in result.summary
