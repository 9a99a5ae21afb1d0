"""Checks of the `[reports]` section and `[schedule] root_cause`; each problem names the key and the fix."""

from __future__ import annotations

import re

from bot.config.problems import ConfigProblem
from bot.config.sections import Settings

WEEKLY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d$")
_LIMITS = {"dormant_days": (1, 3650), "link_ttl_days": (1, 90), "root_cause_min_leads": (5, 100_000),
           "churn_days": (1, 3650)}


def reports_checks(s: Settings) -> list[ConfigProblem]:
    """Return the problems of [reports] and [schedule] root_cause."""
    out = []
    if not WEEKLY.match(s.schedule.root_cause):
        out.append(ConfigProblem(s.source, "schedule.root_cause", f"{s.schedule.root_cause!r} is not 'ddd HH:MM'",
                                 'write it like "mon 08:00"'))
    for key, (low, high) in _LIMITS.items():
        value = getattr(s.reports, key)
        if not low <= value <= high:
            out.append(ConfigProblem(s.source, f"reports.{key}", f"{value} is outside {low}..{high}",
                                     f"use a whole number from {low} to {high} (see config.example.toml)"))
    bad = [k for k, v in s.reports.product_lines.items() if not (isinstance(v, str) and v.strip())]
    if bad:
        out.append(ConfigProblem(s.source, "reports.product_lines", f"industries {bad[:3]!r} map to no line",
                                 'map each industry to a line name, e.g. {"医疗" = "医疗设备线"}'))
    return out
