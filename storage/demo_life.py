"""The demo's lead timelines and pool: the rows the real flows would have written for the seeded history.

Every seeded lead gets the timeline its life implies (received, assigned, accepted, first response, breached,
converted at its deal's creation, lost with a pick-list reason), so the weekly conversion reads real
`converted` events. The pool is applied as `pool_reclaim` would have on the day each customer's window ran out
(sales.pool rules, default [pool] windows), so the first reclaim run after seeding is calm.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update

from bot.config.sections import PoolConfig
from bot.core.vocab import OPEN_LEAD_STATUSES, CustomerEventKind, LeadStatus
from sales import pool as rules
from storage import models as m
from storage.models import CustomerEvent, LeadEvent
from storage.repos._sql import table_of

Row = dict[str, Any]


def _event(lead: Row, kind: str, at: datetime | None, note: str = "") -> list[Row]:
    return [{"lead_id": lead["id"], "kind": kind, "member_id": lead["owner_id"], "note": note[:300], "data": {},
             "at": at}] if at else []


async def seed_timeline(w: Any, leads: list[Row], opps: list[Row]) -> None:
    """One lead_event per step of each seeded lead's life."""
    converted_at = {o["_lead"]: (o["created_at"], o["id"]) for o in opps}
    rows: list[Row] = []
    for x in leads:
        rows += _event(x, "received", x["received_at"], f"{x['channel']} · {x['source']}")
        rows += _event(x, LeadStatus.ASSIGNED.value, x["assigned_at"], x.get("assign_reason", ""))
        rows += _event(x, LeadStatus.ACCEPTED.value, x["accepted_at"])
        rows += _event(x, "first_response", x["first_response_at"], "followup")
        rows += _event(x, LeadStatus.BREACHED.value, x["breached_at"])
        if x["status"] == LeadStatus.CONVERTED and x["id"] in converted_at:
            at, opp_id = converted_at[x["id"]]
            rows += _event(x, LeadStatus.CONVERTED.value, at, f"转为商机 #{opp_id}")
        if x["status"] == LeadStatus.LOST:
            rows += _event(x, LeadStatus.LOST.value, x.get("_closed_at"), x["extra"].get("lost_reason", ""))
    await w.add(LeadEvent, rows)


async def seed_pool(w: Any, now: datetime, leads: list[Row], opps: list[Row], touches: list[Row]) -> None:
    """Stamp each customer's last touch and put those whose window ran out in the pool, as the job would have."""
    p = PoolConfig()
    win = rules.Windows(p.reclaim_days_without_follow_up, p.reclaim_days_without_deal, p.warn_days_before, {})
    customers = {x["_cust"]["id"]: x["_cust"] for x in leads}
    last: dict[int, datetime] = {}
    for t in touches:
        last[t["customer_id"]] = max(last.get(t["customer_id"], t["at"]), t["at"])
    open_deal = {o["customer_id"] for o in opps if o["status"] == "open"}
    won = {o["customer_id"] for o in opps if o["status"] == "won"}
    stamps, moved = [], {}
    for cid, c in customers.items():
        stamps.append({"cid": cid, "touch": last.get(cid)})
        if not c["owner_id"] or cid in open_deal:
            continue
        since = c["owned_since"] or c["created_at"]
        owned = rules.Owned(cid, c["name"], c["owner_id"], "", last.get(cid, since), since, cid in won, False)
        verdict = rules.judge(owned, win, now)
        if verdict is not None and verdict.kind == "reclaim":
            moved[cid] = (c["owner_id"], verdict.reason, _due(owned, win))
    await _apply(w, leads, stamps, moved)


def _due(c: rules.Owned, w: rules.Windows) -> datetime:
    """When the job would have reclaimed it: the first window that ran out."""
    from_touch = c.touched + (w.follow_up * rules.DAY)
    return from_touch if c.dealt else min(from_touch, c.since + w.deal * rules.DAY)


async def _apply(w: Any, leads: list[Row], stamps: list[Row], moved: dict[int, tuple[int, str, datetime]]) -> None:
    C = table_of(m.Customer)
    await w.s.execute(update(C).where(C.c.id == bindparam("cid")).values(last_touch_at=bindparam("touch")), stamps)
    if moved:
        await w.s.execute(update(C).where(C.c.id == bindparam("cid")).values(
            owner_id=None, in_pool=True, pool_since=bindparam("at")),
            [{"cid": cid, "at": at} for cid, (_, _, at) in moved.items()])
    await w.add(CustomerEvent, [{"customer_id": cid, "kind": CustomerEventKind.RECLAIMED.value, "member_id": None,
                                 "owner_from": owner, "owner_to": None, "reason": why, "detail": {}, "at": at}
                                for cid, (owner, why, at) in moved.items()])
    pooled = [x for x in leads if x["customer_id"] in moved and x["status"] in OPEN_LEAD_STATUSES]
    L = table_of(m.Lead)
    if pooled:
        await w.s.execute(update(L).where(L.c.id == bindparam("lid")).values(status=LeadStatus.POOL, owner_id=None),
                          [{"lid": x["id"]} for x in pooled])
    await w.add(LeadEvent, [{"lead_id": x["id"], "kind": LeadStatus.POOL.value, "member_id": x["owner_id"],
                             "note": moved[x["customer_id"]][1], "data": {}, "at": moved[x["customer_id"]][2]}
                            for x in pooled])
