"""Lead distribution: pick an owner by strategy, skipping reps who cannot take a lead now (no I/O).

Strategies: round_robin, weighted, rule_based (region / industry / product line), least_loaded.
Every strategy is capacity-bounded (open leads per rep, new leads per day) and skips inactive reps,
reps on leave, outside their working hours, or cooling down after this lead was reclaimed from them
(`sales.lead_rules`). Every answer carries the reason that the lead's timeline records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sales import reason_words
from sales.lead_rules import LeadFacts, Policy, Rep, Rule, in_hours, parse_rules, pool_of, rule_for, why_not

__all__ = ["STRATEGIES", "Assignment", "LeadFacts", "Policy", "Rep", "Rotation", "Rule", "assign", "in_hours",
           "parse_rules", "weighted_sequence", "why_not"]

STRATEGIES = ("round_robin", "weighted", "rule_based", "least_loaded")


@dataclass(frozen=True)
class Rotation:
    """Where a pool's rotation stands: the last member it gave a lead to and the weighted position."""

    last_member_id: int = 0
    position: int = 0


@dataclass(frozen=True)
class Assignment:
    """The outcome: an owner (or None: the lead waits in the pool), why, and the pool's new rotation.

    `bounded` is False for the fallback owner, who takes leads beyond capacity and daily caps.
    """

    member_id: int | None
    reason: str
    pool_key: str
    rotation: Rotation | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    bounded: bool = True


def weighted_sequence(reps: Sequence[Rep], weights: Mapping[str, int]) -> list[Rep]:
    """Smooth weighted round-robin order (A:3,B:1 -> A A B A), so heavy reps are spread, not bunched."""
    ws = {r.id: max(1, int(weights.get(r.name, 1))) for r in reps}
    total, current, out = sum(ws.values()), {r.id: 0 for r in reps}, []
    for _ in range(total):
        for r in reps:
            current[r.id] += ws[r.id]
        best = max(reps, key=lambda r: (current[r.id], -r.id))
        current[best.id] -= total
        out.append(best)
    return out


def assign(policy: Policy, facts: LeadFacts, reps: Sequence[Rep], rotations: Mapping[str, Rotation],
           local_now: datetime, cooled: Iterable[int] = ()) -> Assignment:
    """Choose the owner of a new lead; fall back to the fallback owner, else leave it in the pool."""
    rule = rule_for(policy, facts)
    pool, how = pool_of(rule, sorted(reps, key=lambda r: r.id), facts)
    key = f"{rule.name}:{how}"
    cooled = frozenset(cooled)
    skipped = {r.name: why for r in pool if (why := why_not(r, local_now, policy, cooled))}
    ok = [r for r in pool if r.name not in skipped]
    rot = rotations.get(key, Rotation())
    if ok:
        rep, new_rot, detail = _pick(rule.strategy, pool, ok, rot, policy.weights)
        return Assignment(rep.id, reason_words.assigned(rule.name, how, rule.strategy, detail), key, new_rot, skipped)
    fallback = next((r for r in reps if r.name == policy.fallback_owner and r.active and not r.on_leave), None)
    if fallback:
        return Assignment(fallback.id, reason_words.nobody(rule.name, how, skipped, True), key, None, skipped,
                          bounded=False)
    return Assignment(None, reason_words.nobody(rule.name, how, skipped, False), key, None, skipped)


def _pick(strategy: str, pool: list[Rep], ok: list[Rep], rot: Rotation,
          weights: Mapping[str, int]) -> tuple[Rep, Rotation, str]:
    """Apply one strategy to the eligible reps; return the rep, the new rotation and a detail label."""
    if strategy == "least_loaded":
        rep = min(ok, key=lambda r: (r.open_leads / max(1, r.capacity), r.new_today, r.id))
        return rep, rot, f"load {rep.open_leads}/{rep.capacity}"
    if strategy == "weighted":
        seq = weighted_sequence(pool, weights)
        ok_ids = {r.id for r in ok}
        for step in range(len(seq)):
            idx = (rot.position + step) % len(seq)
            if seq[idx].id in ok_ids:
                return seq[idx], Rotation(seq[idx].id, idx + 1), f"position #{idx + 1}/{len(seq)}"
    after = [r for r in ok if r.id > rot.last_member_id]
    rep = (after or ok)[0]
    return rep, Rotation(rep.id, rot.position + 1), f"turn #{rot.position + 1}"
