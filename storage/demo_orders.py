"""The demo's orders: what a won deal leaves behind, so grading, scorecards and reports have live-like data.

Each won deal becomes its first order a few days after it closed; most customers accept the first delivery
two to five weeks later (some not yet, so deferred bonus shares are still waiting), and about half order again
(a renewal or an add-on) when the calendar allows. Amounts in yuan, owner = the deal's owner.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from storage.models import Order

Row = dict[str, Any]
D = timedelta(days=1)


def _first(rng: random.Random, now: datetime, opp: Row) -> Row | None:
    ordered = opp["closed_at"] + D * rng.uniform(1, 6)
    if ordered > now:
        return None
    accepted = ordered + D * rng.uniform(14, 35)
    amount = opp["amount"] or ((opp["budget_low"] or 300_000) + (opp["budget_high"] or 300_000)) // 2
    return {"customer_id": opp["customer_id"], "owner_id": opp["owner_id"], "opportunity_id": opp["id"],
            "amount": int(amount), "product": opp["need"].split("：", 1)[0] + "行业方案", "ordered_at": ordered,
            "accepted_at": accepted if accepted <= now and rng.random() < .85 else None, "source": "deal",
            "created_at": ordered}


def _repeat(rng: random.Random, now: datetime, first: Row) -> Row | None:
    ordered = first["ordered_at"] + D * rng.uniform(20, 50)
    if ordered > now or rng.random() < .5:
        return None
    return {**first, "opportunity_id": None, "amount": int(round(first["amount"] * rng.uniform(.2, .6), -3)),
            "product": "增购/续费", "ordered_at": ordered, "accepted_at": None, "created_at": ordered}


async def seed_orders(w: Any, rng: random.Random, now: datetime, opps: list[Row]) -> None:
    """Insert the orders of the won deals (and the repeat orders that followed some of them)."""
    rows: list[Row] = []
    for opp in (o for o in opps if o["status"] == "won"):
        if (first := _first(rng, now, opp)) is not None:
            rows.append(first)
            if (again := _repeat(rng, now, first)) is not None:
                rows.append(again)
    await w.add(Order, rows)
