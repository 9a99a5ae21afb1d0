"""check-config for `[grading]`: ranges, known weight sources, thresholds that overlap, cadence, the plan pack."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config.problems import HHMM, WEEKLY, ConfigProblem
from bot.config.sections import Settings
from bot.core.vocab import Grade
from sales.activation import parse_plan
from sales.activity import DEFAULT_WEIGHTS

ROOT = Path(__file__).resolve().parents[2]  # bot/config/grading.py -> the repository
THRESHOLD_KEYS = ("value_high", "value_low", "activity_high", "activity_low")
RANGES = {"window_days": (7, 730), "half_life_days": (1, 365), "ltv_horizon_months": (1, 60),
          "pipeline_weight": (0, 1), "min_fit_customers": (5, 10**6), "trend_cap": (0, 10),
          "value_quantile": (0.01, 0.99), "activity_quantile": (0.01, 0.99), "min_industry_customers": (1, 10**6),
          "dormant_days": (1, 365), "ltv_rise_pct": (0, 1000), "review_show": (1, 50)}


def check(s: Settings) -> list[ConfigProblem]:
    """Return every problem of the [grading] section."""
    g, out = s.grading, []
    p = lambda key, problem, fix: out.append(ConfigProblem(s.source, f"grading.{key}", problem, fix))  # noqa: E731
    for key, (low, high) in RANGES.items():
        if not low <= getattr(g, key) <= high:
            p(key, f"{getattr(g, key)} is outside {low}–{high}", f"set {key} between {low} and {high}")
    for src, w in g.weights.items():
        if src not in DEFAULT_WEIGHTS:
            p(f"weights.{src}", "unknown activity source", f"use one of: {', '.join(DEFAULT_WEIGHTS)}")
        elif not isinstance(w, int | float) or isinstance(w, bool) or w < 0:
            p(f"weights.{src}", f"weight {w!r} is not a number ≥ 0", "write a number such as 2.0 (0 ignores it)")
    for industry, table in g.thresholds.items():
        _thresholds(p, industry, table)
    for grade, rule in g.cadence.items():
        _cadence(p, grade, rule)
    _pack(p, g.activation_pack)
    if not HHMM.match(s.schedule.grading):
        out.append(ConfigProblem(s.source, "schedule.grading", f"{s.schedule.grading!r} is not HH:MM",
                                 'write it like "06:30" (daily, before the must-do push)'))
    if not WEEKLY.match(s.schedule.regrade_quarterly):
        out.append(ConfigProblem(s.source, "schedule.regrade_quarterly",
                                 f"{s.schedule.regrade_quarterly!r} is not 'ddd HH:MM'",
                                 'write it like "mon 07:00" (it acts once, on the first fire of a quarter)'))
    return out


def _thresholds(p, industry: str, table) -> None:
    where = f'thresholds."{industry}"'
    if not isinstance(table, dict):
        p(where, "must be a table", f'write [grading.{where}] with {", ".join(THRESHOLD_KEYS)}')
        return
    for key, value in table.items():
        if key not in THRESHOLD_KEYS:
            p(f"{where}.{key}", "unknown key", f"use {', '.join(THRESHOLD_KEYS)}")
        elif not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            p(f"{where}.{key}", f"{value!r} is not a number ≥ 0",
              "write a number (yuan for value, points for activity)")
    for axis in ("value", "activity"):
        low, high = table.get(f"{axis}_low"), table.get(f"{axis}_high")
        if low is not None and high is None:
            p(f"{where}.{axis}_low", f"{axis}_low without {axis}_high", f"add {axis}_high (the upper line of the band)")
        elif isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            p(f"{where}.{axis}_low", f"thresholds overlap: {axis}_low {low} is above {axis}_high {high}",
              f"make {axis}_low ≤ {axis}_high (the band between them keeps a customer's side)")


def _cadence(p, grade: str, rule) -> None:
    if grade not in [g.value for g in Grade]:
        p(f'cadence."{grade}"', "unknown grade", f"use one of: {', '.join(g.value for g in Grade)}")
        return
    if not isinstance(rule, dict):
        p(f'cadence."{grade}"', "must be a table", "write {count = 1, days = 30, what = \"续费回访\"}")
        return
    if not isinstance(rule.get("count", 1), int) or rule.get("count", 1) < 0:
        p(f'cadence."{grade}".count', "must be a whole number ≥ 0", "0 turns the cadence of this grade off")
    if not isinstance(rule.get("days", 7), int) or rule.get("days", 7) < 1:
        p(f'cadence."{grade}".days', "must be a whole number ≥ 1", "the window in days, e.g. 7 for a week")


def _pack(p, name: str) -> None:
    path = Path(name) if Path(name).is_absolute() else ROOT / name
    try:
        with path.open("rb") as fh:
            parse_plan(tomllib.load(fh))
    except OSError:
        p("activation_pack", f"cannot read {path}", "point it at a TOML file like packs/grading/activation.toml")
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        p("activation_pack", f"{path.name}: {exc}", "fix the pack file (see packs/grading/activation.toml)")
