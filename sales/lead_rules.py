"""Who may take a lead: reps as distribution sees them, `[[leads.rules]]`, pools, and the reasons to skip (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sales.roster import on_leave


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
    leave: tuple[str, str] = ("", "")  # members CSV `leave`: no new leads from..until (inclusive, org dates)


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


def rule_for(policy: Policy, facts: LeadFacts) -> Rule:
    """Return the first matching rule, else the default rule (every rep, the default strategy)."""
    return next((r for r in policy.rules if r.matches(facts)), Rule("default", strategy=policy.strategy))


def why_not(rep: Rep, local_now: datetime, policy: Policy, cooled: Iterable[int] = ()) -> str | None:
    """Return why a rep cannot take a new lead now, or None if they can."""
    if not rep.active:
        return "inactive"
    if rep.on_leave or on_leave(local_now.date(), *rep.leave):
        return "on leave"
    if rep.id in (cooled if isinstance(cooled, (set, frozenset)) else set(cooled)):
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


def parse_rules(raw: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Turn `[[leads.rules]]` tables into Rules (config checks report bad ones first)."""
    return tuple(Rule(name=str(r.get("name") or f"rule{i + 1}"), channel=str(r.get("channel", "")),
                      region=str(r.get("region", "")), industry=str(r.get("industry", "")),
                      product_line=str(r.get("product_line", "")), strategy=str(r.get("strategy", "round_robin")),
                      members=tuple(r.get("members") or ()), team=str(r.get("team", "")))
                 for i, r in enumerate(raw))
