"""Tasks that grading gives reps: the activation plan of a dormant customer and cadence items by grade."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config.sales_sections import GradingConfig
from bot.core.lazy import library
from bot.core.vocab import Grade
from sales.activation import Plan, parse_plan
from sales.activity import DEEP_KINDS
from storage.repos import grading_tasks as repo
from storage.repos.grading import Change

if TYPE_CHECKING:
    import numpy as np
else:
    np = library("numpy")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CADENCE = GradingConfig().cadence
CADENCE_DUE_DAYS = 3  # a cadence item is due within three days (the must-do horizon) of being found short


@dataclass
class Activation:
    """One dormant customer's plan as created: its owner, name and the task id of every plan item."""

    customer_id: int
    owner_id: int
    name: str
    reason: str
    tasks: list[int]


def load_plan(cfg: GradingConfig) -> Plan:
    """Read the activation pack named by `[grading] activation_pack` (relative paths from the project root)."""
    path = Path(cfg.activation_pack)
    path = path if path.is_absolute() else ROOT / path
    with path.open("rb") as fh:
        return parse_plan(tomllib.load(fh))


def cadence_rules(cfg: GradingConfig) -> dict[str, dict]:
    """Return each grade's cadence: the documented defaults overridden per grade by `[grading] cadence`."""
    return {g.value: {**DEFAULT_CADENCE.get(g.value, {}), **cfg.cadence.get(g.value, {})} for g in Grade
            if int({**DEFAULT_CADENCE.get(g.value, {}), **cfg.cadence.get(g.value, {})}.get("count", 0)) > 0}


async def start_activations(session: AsyncSession, plan: Plan, changes: list[Change],
                            now: datetime) -> list[Activation]:
    """Create the plan's tasks for every customer the dormant trigger just moved; return them per customer."""
    fired = [c for c in changes if c.source == "dormant" and c.owner_id is not None]
    if not fired:
        return []
    names = await repo.names(session, [c.customer_id for c in fired])
    rows = [{"kind": "activation", "title": f"唤醒{names.get(c.customer_id, '')}：{item.name}"[:200],
             "owner_id": c.owner_id, "due_at": now + timedelta(days=k + 1), "ref": repo.customer_ref(c.customer_id),
             "created_at": now} for c in fired for k, item in enumerate(plan.items)]
    await repo.add_tasks(session, rows)
    out = []
    for c in fired:
        assert c.owner_id is not None  # filtered above
        ids = [t.id for t in await repo.activation_tasks(session, c.customer_id, now)]
        out.append(Activation(c.customer_id, c.owner_id, names.get(c.customer_id, ""), c.reason, ids))
    return out


async def cadence(session: AsyncSession, cfg: GradingConfig, now: datetime) -> tuple[int, int]:
    """Create cadence tasks for customers short of their grade's cadence, close the met ones; return both counts."""
    rules = cadence_rules(cfg)
    customers = await repo.graded_customers(session, list(rules))
    if not customers:
        return 0, 0
    touches = await _touches(session, now, rules, customers)
    longest = max(int(r["days"]) for r in rules.values())
    taken = await repo.cadence_refs(session, now - timedelta(days=longest))
    met, rows = [], []
    for (cid, name, owner, grade), done in zip(customers, touches.tolist(), strict=True):
        rule = rules[grade]
        if done >= int(rule["count"]):
            met.append(cid)
        elif not _taken(taken.get(repo.customer_ref(cid)), now - timedelta(days=int(rule["days"]))):
            rows.append({"kind": "cadence", "owner_id": owner, "ref": repo.customer_ref(cid), "created_at": now,
                         "due_at": now + timedelta(days=min(CADENCE_DUE_DAYS, int(rule["days"]))),
                         "title": f"{grade}·{name}：{rule['days']}天内要{rule['count']}次{rule['what']}，"
                                  f"还差{int(rule['count']) - int(done)}次"[:200]})
    await repo.add_tasks(session, rows)
    return len(rows), await repo.close_cadence(session, met, now)


async def _touches(session: AsyncSession, now: datetime, rules: dict[str, dict], customers: list[tuple]) -> np.ndarray:
    """Count each customer's touches inside its grade's window (deep ones only where the rule says so)."""
    days = sorted({int(r["days"]) for r in rules.values()})
    ids = np.array([c[0] for c in customers], dtype=np.int64)
    window = np.array([days.index(int(rules[c[3]]["days"])) for c in customers])
    deep_only = np.array([bool(rules[c[3]].get("deep")) for c in customers])
    rows = await repo.recent_touches(session, now, days, DEEP_KINDS)
    if not rows:
        return np.zeros(len(ids))
    cid, deep, span, count = (np.array(col) for col in zip(*rows, strict=True))
    pos = np.clip(np.searchsorted(ids, cid), 0, len(ids) - 1)
    ok = (ids[pos] == cid) & (span <= window[pos]) & ((deep == 1) | ~deep_only[pos])
    return np.bincount(pos[ok], weights=count[ok].astype(float), minlength=len(ids))


def _taken(task: tuple[datetime, int] | None, window_start: datetime) -> bool:
    """Whether the customer already has a cadence task open, or one from this window."""
    return task is not None and (task[1] > 0 or (task[0] is not None and task[0] >= window_start))
