"""Validate script-library pack rows (TOML `[[script]]` tables or CSV lines) before they are stored.

Columns: key, title, text, stage (key or Chinese name; empty = any stage), industry (empty or 通用 = any),
budget (小单/中单/大单 or small/medium/large; empty = any), scenario, keywords (list, or ";"-separated).
"""

from __future__ import annotations

from typing import Any

from sales.scripts import GENERIC, normalize_band
from sales.stages import Pipeline

COLUMNS = ("key", "title", "text", "stage", "industry", "budget", "scenario", "keywords")
REQUIRED = ("key", "title", "text")
LIMITS = {"key": 80, "title": 120, "industry": 40, "scenario": 40}


def _keywords(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        return None
    return [k.strip() for k in value if k.strip()]


def check_row(raw: dict[str, Any], pipeline: Pipeline) -> dict[str, Any] | str:
    """Return the row as Script column values, or the reason it is rejected."""
    unknown = sorted(set(raw) - set(COLUMNS))
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}; fields are {', '.join(COLUMNS)}"
    values = {c: raw.get(c, "") for c in COLUMNS}
    for column in REQUIRED:
        if not isinstance(values[column], str) or not values[column].strip():
            return f"{column} is required"
    for column, limit in LIMITS.items():
        if not isinstance(values[column], str) or len(values[column].strip()) > limit:
            return f"{column} must be text of at most {limit} characters"
    stage = str(values["stage"]).strip()
    found = pipeline.find(stage) if stage not in GENERIC else None
    if stage not in GENERIC and found is None:
        names = ", ".join(f"{s.key}/{s.name}" for s in pipeline.stages)
        return f"stage {stage!r} is not a stage; use one of {names}, or leave it empty for any stage"
    band = normalize_band(str(values["budget"]))
    if band is None:
        return f"budget {values['budget']!r} must be 小单, 中单, 大单 (small/medium/large) or empty"
    keywords = _keywords(values["keywords"])
    if keywords is None:
        return "keywords must be a list of words or text separated by ;"
    industry = values["industry"].strip()
    return {"key": values["key"].strip(), "title": values["title"].strip(), "text": values["text"].strip(),
            "stage": found.key if found else "", "industry": "" if industry in GENERIC else industry,
            "band": band, "scenario": values["scenario"].strip(), "keywords": keywords}


def check_rows(rows: list[Any], pipeline: Pipeline, first_line: int = 1,
               ) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Validate every row; duplicate keys are rejected after the first. Return (valid, [(row number, why)])."""
    valid, rejected, seen = [], [], set()
    for number, raw in enumerate(rows, start=first_line):
        row = check_row(raw, pipeline) if isinstance(raw, dict) else "must be a table of script fields"
        if isinstance(row, dict) and row["key"] in seen:
            row = f"key {row['key']!r} appears twice in this file"
        if isinstance(row, str):
            rejected.append((number, row))
            continue
        seen.add(row["key"])
        valid.append(row)
    return valid, rejected
