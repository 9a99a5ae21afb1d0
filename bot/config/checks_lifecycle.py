"""Checks of the lifecycle keys ([pool], [leads] max_reassign, [schedule] pool_reclaim); each names key and fix."""

from __future__ import annotations

from bot.config.problems import HHMM, ConfigProblem
from bot.config.sections import Settings
from bot.core.vocab import Grade

_POSITIVE = ("reclaim_days_without_follow_up", "reclaim_days_without_deal", "max_claims_per_day",
             "max_owned_per_rep")
_NON_NEGATIVE = ("warn_days_before", "exempt_order_days", "claim_cooldown_days")


def check(s: Settings) -> list[ConfigProblem]:
    """Return every problem of the lifecycle keys."""
    out, p = [], s.pool

    def bad(key: str, problem: str, fix: str) -> None:
        out.append(ConfigProblem(s.source, key, problem, fix))

    for key in _POSITIVE:
        if getattr(p, key) < 1:
            bad(f"pool.{key}", "must be at least 1", f"set {key} to a whole number ≥ 1 (see config.example.toml)")
    for key in _NON_NEGATIVE:
        if getattr(p, key) < 0:
            bad(f"pool.{key}", "must not be negative", f"set {key} to 0 or more")
    if p.warn_days_before >= p.reclaim_days_without_follow_up:
        bad("pool.warn_days_before", "the warning would come before the countdown even starts",
            "make warn_days_before smaller than reclaim_days_without_follow_up")
    grades = {g.value for g in Grade}
    for grade, days in p.reclaim_days_by_grade.items():
        if grade not in grades:
            bad(f"pool.reclaim_days_by_grade.{grade}", "unknown grade",
                f"use one of {', '.join(sorted(grades))}")
        elif not isinstance(days, int) or days < 1:
            bad(f"pool.reclaim_days_by_grade.{grade}", f"{days!r} is not a whole number of days ≥ 1", "e.g. 30")
    if s.leads.max_reassign < 0:
        bad("leads.max_reassign", "must not be negative", "use 0 (never hand on) or more; default 2")
    if not HHMM.match(s.schedule.pool_reclaim):
        bad("schedule.pool_reclaim", f"{s.schedule.pool_reclaim!r} is not a 24-hour HH:MM time",
            'write it like "02:00"')
    return out
