"""Monthly bonus statements: results × health multiplier, with the new-customer share deferred until the
customer's first delivery is accepted (Order.accepted_at) and released automatically then."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from flows.scorecards import Scored, score, windows
from sales.bonus import BonusRules, Deferral, Statement, deferral_amount
from storage.repos import bonus as repo
from storage.repos.scorecards import Rep


def bonus_rules(settings: Settings) -> BonusRules:
    """Return the bonus settings of `[scorecard]`."""
    c = settings.scorecard
    return BonusRules(c.commission_rate, c.new_customer_bonus, c.multiplier_floor, c.multiplier_ceiling,
                      c.deferred_share)


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return [first local midnight of the month, first of the next) for "YYYY-MM"."""
    year, mon = (int(x) for x in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=tz)
    return start, datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=tz)


def previous_month(at: datetime, tz: ZoneInfo) -> str:
    """Return "YYYY-MM" of the month before `at` (org time)."""
    local = at.astimezone(tz)
    year, mon = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


async def statements(session: AsyncSession, settings: Settings, month: str, reps: Sequence[Rep],
                     record: bool = False) -> tuple[dict[int, Statement], Scored]:
    """Return each rep's statement of `month` and the month's scores; with `record`, record the deferrals."""
    start, end = month_bounds(month, settings.tz)
    scored = await score(session, settings, windows(settings, end, result_start=start), reps)
    rules, ids = bonus_rules(settings), [r.id for r in reps]
    await repo.release(session)
    new = await repo.new_customers(session, start, end, ids)
    waiting = [(o, c, n) for o, c, n, acc in new if acc is None or acc >= end]
    stored = await repo.amounts(session, [c for _, c, _ in waiting])
    pending: dict[int, list[Deferral]] = defaultdict(list)
    for owner, cid, name in waiting:
        amount = stored.get(cid, deferral_amount(rules, scored.cards[owner].health_score))
        pending[owner].append(Deferral(cid, name, amount, month))
    if record:
        await repo.record(session, [{"member_id": o, "customer_id": d.customer_id, "month": month,
                                     "amount": d.amount, "created_at": end}
                                    for o, ds in pending.items() for d in ds])
    released: dict[int, list[Deferral]] = defaultdict(list)
    for mid, cid, name, amount, earned, at in await repo.released_in(session, start, end, ids):
        if earned != month:
            released[mid].append(Deferral(cid, name, amount, earned, at.astimezone(settings.tz).date().isoformat()))
    out = {r.id: Statement(r.id, r.name, month, scored.facts[r.id].signed_amount, scored.facts[r.id].new_customers,
                           scored.cards[r.id].health_score, rules, pending[r.id], released[r.id]) for r in reps}
    return out, scored
