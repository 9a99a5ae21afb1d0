"""check-config rules of `[scorecard]`: weights sum to 1 with health ≥ 0.30, sane thresholds, a readable pack."""

from __future__ import annotations

from pathlib import Path

from bot.config.problems import HHMM, WEEKLY, ConfigProblem
from bot.config.sections import Settings
from sales.benchmarks import PackError, parse_pack
from sales.scorecard import HEALTH, RESULTS

MIN_HEALTH = 0.30
PACK = Path(__file__).resolve().parents[2] / "packs" / "benchmarks" / "industries.toml"


def scorecard_checks(s: Settings) -> list[ConfigProblem]:
    """Return every problem of the `[scorecard]` section, each naming the key and the fix."""
    c, out = s.scorecard, []
    out += _weights(s)
    if not c.red_below <= c.yellow_below:
        out.append(_p(s, "scorecard.red_below", f"{c.red_below} is above yellow_below {c.yellow_below}",
                      "red is the stricter rule: set red_below ≤ yellow_below, e.g. 45 and 60"))
    if not 0 <= c.deferred_share <= 1:
        out.append(_p(s, "scorecard.deferred_share", f"{c.deferred_share} is not a share",
                      "use a number from 0 to 1, e.g. 0.20 (20% waits for the delivery acceptance)"))
    if not 0 <= c.multiplier_floor <= c.multiplier_ceiling:
        out.append(_p(s, "scorecard.multiplier_floor", "must be ≥ 0 and ≤ multiplier_ceiling",
                      "e.g. multiplier_floor = 0.5, multiplier_ceiling = 1.2"))
    for key in ("result_window_days", "health_window_days", "coaching_days", "nps_valid_days"):
        if getattr(c, key) < 1:
            out.append(_p(s, f"scorecard.{key}", "must be at least 1 day", "use the documented default"))
    if not 1 <= c.dashboard_day <= 28:
        out.append(_p(s, "scorecard.dashboard_day", f"{c.dashboard_day} is not a day every month has",
                      "use 1–28 (default 1: the 1st of each month)"))
    return out + _items(s) + _pack(s) + _schedule(s)


def _schedule(s: Settings) -> list[ConfigProblem]:
    out = []
    if not WEEKLY.match(s.schedule.scorecards_weekly):
        out.append(_p(s, "schedule.scorecards_weekly", f"{s.schedule.scorecards_weekly!r} is not 'ddd HH:MM'",
                      'write it like "mon 07:30"'))
    for key in ("monthly_dashboard", "accepted_deliveries"):
        if not HHMM.match(getattr(s.schedule, key)):
            out.append(_p(s, f"schedule.{key}", f"{getattr(s.schedule, key)!r} is not a 24-hour HH:MM time",
                          'write it like "08:15"'))
    return out


def _p(s: Settings, key: str, problem: str, fix: str) -> ConfigProblem:
    return ConfigProblem(s.source, key, problem, fix)


def _weights(s: Settings) -> list[ConfigProblem]:
    w, known = s.scorecard.weights, RESULTS + HEALTH
    unknown = [k for k in w if k not in known]
    if unknown:
        return [_p(s, "scorecard.weights", f"unknown indicator(s) {', '.join(unknown)}",
                   f"use only {', '.join(known)}")]
    if any(not isinstance(v, int | float) or v < 0 for v in w.values()):
        return [_p(s, "scorecard.weights", "every weight must be a number ≥ 0", "e.g. retention = 0.10")]
    out, total = [], sum(w.values())
    if abs(total - 1) > 1e-6:
        out.append(_p(s, "scorecard.weights", f"weights sum to {total:.2f}, not 1",
                      "change them so they add up to exactly 1.00 (e.g. 0.60 results + 0.40 health)"))
    health = sum(w.get(k, 0) for k in HEALTH)
    if health < MIN_HEALTH - 1e-9:
        out.append(_p(s, "scorecard.weights", f"health indicators weigh {health:.2f}, under the 0.30 minimum",
                      f"raise {', '.join(HEALTH)} so they add up to at least 0.30 and lower the result weights"))
    return out


def _items(s: Settings) -> list[ConfigProblem]:
    out = []
    for i, item in enumerate(s.scorecard.items):
        ok = isinstance(item, dict) and str(item.get("name", "")).strip() and isinstance(item.get("points"), int)
        if not ok or item["points"] <= 0:
            out.append(_p(s, f"scorecard.items[{i}]", "each redeemable item needs a name and positive whole points",
                          'write items = [{name = "带薪半天假", points = 200}]'))
    for key, value in s.scorecard.points.items():
        if key not in ("customer_update", "script_adopted", "script_approved", "competitor_tag"):
            out.append(_p(s, f"scorecard.points.{key}", "unknown contribution kind",
                          "use customer_update, script_adopted, script_approved, competitor_tag"))
        elif not isinstance(value, int) or value < 0:
            out.append(_p(s, f"scorecard.points.{key}", "must be a whole number ≥ 0", "e.g. 2"))
    return out


def _pack(s: Settings) -> list[ConfigProblem]:
    path = Path(s.scorecard.benchmark_pack) if s.scorecard.benchmark_pack else PACK
    try:
        parse_pack(path.read_text("utf-8"), str(path))
    except FileNotFoundError:
        return [_p(s, "scorecard.benchmark_pack", f"{path} not found",
                   "point it at a pack file, or leave it empty for packs/benchmarks/industries.toml")]
    except PackError as exc:
        return [_p(s, "scorecard.benchmark_pack", str(exc), "fix the pack, or leave the key empty for the defaults")]
    return []
