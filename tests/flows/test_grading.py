"""The daily grading flow on constructed histories with known answers."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.vocab import Grade
from flows.grading import run_daily
from storage.models import Customer, CustomerScore
from tests.flows.grading_helpers import seed_case
from tests.helpers import add_member


async def _scores(rt) -> dict[int, CustomerScore]:
    async with rt.db.session() as s:
        return {r.customer_id: r for r in (await s.execute(select(CustomerScore))).scalars()}


async def _grades(rt) -> dict[int, str]:
    async with rt.db.session() as s:
        return dict((await s.execute(select(Customer.id, Customer.grade))).all())


async def test_growing_customers_are_worth_more_than_one_off_projects(rt_any):
    rt = rt_any
    rep = await add_member(rt, "李娜")
    big, growing = await seed_case(rt, rep)
    async with rt.db.session() as s:
        result = await run_daily(s, rt.settings.grading, rt.clock.now())
    assert result.model == "BG/NBD + Gamma-Gamma" and result.scored == 30
    scores = await _scores(rt)
    assert {scores[c].model for c in big} == {"project"} and {scores[c].model for c in growing} == {"bgnbd"}
    assert max(scores[c].ltv for c in big) < min(scores[c].ltv for c in growing)
    grades = await _grades(rt)
    high_value = {c for c, g in grades.items() if g in (Grade.STEADY, Grade.STRATEGIC)}
    assert len(high_value) == 9 and high_value <= set(growing)  # the top 30 % by value (the default quantile)
    assert {grades[c] for c in big} == {Grade.DORMANT.value}  # equal activity, low value: wake them up
    assert set(grades.values()) <= {g.value for g in Grade}
