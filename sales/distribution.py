"""Lead distribution: pick an owner by strategy, skipping reps who cannot take a lead now (no I/O).

Strategies: round_robin, weighted, rule_based (region / industry / product line), least_loaded.
Every strategy is capacity-bounded (open leads per rep, new leads per day) and skips inactive reps,
reps on leave, outside their working hours, or cooling down after this lead was reclaimed from them.
Every answer carries the reason that the lead's timeline records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

STRATEGIES = ("round_robin", "weighted", "rule_based", "least_loaded")


@dataclass(frozen=True)
class Rep:
    """What distribution needs to know about one member right now."""

    id: int
    name: str
    team: str = ""
    region: str = ""
    industries: tuple[str, ...] = ()
    active: bool = True
    on_leave: bool = False
    work_start: str = "09:00"
    work_end: str = "18:00"
    capacity: int = 50
    open_leads: int = 0
    new_today: int = 0


@dataclass(frozen=True)
class LeadFacts:
    """What rules match on."""

    channel: str
    region: str = ""
    industry: str = ""
    product_line: str = ""


@dataclass(frozen=True)
class Rule:
    """`[[leads.rules]]`: conditions ('' = any) and the pool + strategy to use when they match."""

    name: str
    channel: str = ""
    region: str = ""
    industry: str = ""
    product_line: str = ""
    strategy: str = "round_robin"
    members: tuple[str, ...] = ()
    team: str = ""

    def matches(self, f: LeadFacts) -> bool:
        """True when every non-empty condition equals the lead's value."""
        pairs = ((self.channel, f.channel), (self.region, f.region), (self.industry, f.industry),
                 (self.product_line, f.product_line))
        return all(not want or want == have for want, have in pairs)


@dataclass(frozen=True)
class Policy:
    """The [leads] settings distribution uses."""

    strategy: str = "round_robin"
    rules: tuple[Rule, ...] = ()
    weights: Mapping[str, int] = field(default_factory=dict)
    max_new_per_day: int = 30
    fallback_owner: str = ""
    skip_outside_hours: bool = True


@dataclass(frozen=True)
class Rotation:
    """Where a pool's rotation stands: the last member it gave a lead to and the weighted position."""

    last_member_id: int = 0
    position: int = 0


@dataclass(frozen=True)
class Assignment:
    """The outcome: an owner (or None: the lead waits in the pool), why, and the pool's new rotation."""

    member_id: int | None
    reason: str
    pool_key: str
    rotation: Rotation | None = None
    skipped: dict[str, str] = field(default_factory=dict)


def rule_for(policy: Policy, facts: LeadFacts) -> Rule:
    """Return the first matching rule, else the default rule (every rep, the default strategy)."""
    return next((r for r in policy.rules if r.matches(facts)), Rule("default", strategy=policy.strategy))


def why_not(rep: Rep, local_now: datetime, policy: Policy, cooled: Iterable[int] = ()) -> str | None:
    """Return why a rep cannot take a new lead now, or None if they can."""
    if not rep.active:
        return "inactive"
    if rep.on_leave:
        return "on leave"
    if rep.id in set(cooled):
        return "cooling down after a reclaim"
    if rep.open_leads >= rep.capacity:
        return f"at capacity ({rep.open_leads}/{rep.capacity} open)"
    if rep.new_today >= policy.max_new_per_day:
        return f"daily cap ({rep.new_today}/{policy.max_new_per_day} today)"
    if policy.skip_outside_hours and not in_hours(local_now, rep.work_start, rep.work_end):
        return f"outside working hours {rep.work_start}-{rep.work_end}"
    return None


def in_hours(local_now: datetime, start: str, end: str) -> bool:
    """True when the local time of day is inside [start, end) (an overnight window wraps)."""
    now, a, b = local_now.time(), _hhmm(start), _hhmm(end)
    return a <= now < b if a <= b else now >= a or now < b


def _hhmm(text: str) -> time:
    hour, _, minute = (text or "00:00").partition(":")
    return time(int(hour), int(minute or 0))


def pool_of(rule: Rule, reps: Sequence[Rep], facts: LeadFacts) -> tuple[list[Rep], str]:
    """Return the candidate reps for a rule and a label of how they were chosen."""
    if rule.members:
        return [r for r in reps if r.name in rule.members], f"members {'/'.join(rule.members)}"
    if rule.team:
        return [r for r in reps if r.team == rule.team], f"team {rule.team}"
    if rule.strategy != "rule_based":
        return list(reps), "everyone"
    for use_region, use_industry in ((True, True), (False, True), (True, False)):
        pool = [r for r in reps if (not use_region or (facts.region and r.region == facts.region))
                and (not use_industry or (facts.industry and facts.industry in r.industries))]
        if pool:
            parts = [f"region={facts.region}"] * use_region + [f"industry={facts.industry}"] * use_industry
            return pool, " ".join(parts)
    return list(reps), "no region/industry match: everyone"


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
    cooled = set(cooled)
    skipped = {r.name: why for r in pool if (why := why_not(r, local_now, policy, cooled))}
    ok = [r for r in pool if r.name not in skipped]
    rot = rotations.get(key, Rotation())
    label = f"rule {rule.name} ({how})"
    if ok:
        rep, new_rot, detail = _pick(rule.strategy, pool, ok, rot, policy.weights)
        return Assignment(rep.id, f"{label} {rule.strategy} {detail}", key, new_rot, skipped)
    fallback = next((r for r in reps if r.name == policy.fallback_owner and r.active and not r.on_leave), None)
    summary = "; ".join(f"{n}: {w}" for n, w in list(skipped.items())[:5]) or "no reps in the pool"
    if fallback:
        return Assignment(fallback.id, f"{label}: nobody eligible ({summary}) -> fallback owner", key, None, skipped)
    return Assignment(None, f"{label}: nobody eligible ({summary}); waiting in the pool", key, None, skipped)


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


def parse_rules(raw: Sequence[Mapping]) -> tuple[Rule, ...]:
    """Turn `[[leads.rules]]` tables into Rules (config checks report bad ones first)."""
    return tuple(Rule(name=str(r.get("name") or f"rule{i + 1}"), channel=str(r.get("channel", "")),
                      region=str(r.get("region", "")), industry=str(r.get("industry", "")),
                      product_line=str(r.get("product_line", "")), strategy=str(r.get("strategy", "round_robin")),
                      members=tuple(r.get("members") or ()), team=str(r.get("team", "")))
                 for i, r in enumerate(raw))
