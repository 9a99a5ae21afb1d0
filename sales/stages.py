"""The opportunity lifecycle: gated stages, the evidence each needs, and the benchmark days.

The stages come from `[opportunities] stages` in the config; an empty list means the seed's three
(需求确认 → 方案演示 → 报价反馈). After the last stage a deal closes as 赢单 or 输单.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sales import evidence_rules


@dataclass(frozen=True)
class Stage:
    """One selling stage, the evidence needed to leave it, and how long it usually takes."""

    key: str
    name: str
    evidence: tuple[str, ...]
    benchmark_days: int
    next_step: str
    accepts: tuple[tuple[str, str], ...] = ()  # (item, rule spec) — see sales/evidence_rules.py

    def rule(self, item: str) -> evidence_rules.Rule:
        """What the item accepts (its configured rule, else the default)."""
        spec = dict(self.accepts).get(item)
        rule = evidence_rules.parse(spec) if spec else evidence_rules.DEFAULT_RULE
        return rule if isinstance(rule, evidence_rules.Rule) else evidence_rules.DEFAULT_RULE


STAGES: tuple[Stage, ...] = (
    Stage("needs", "需求确认", ("会议纪要",), 7, "约客户开需求沟通会，会后发会议纪要",
          (("会议纪要", "link|file|note:20"),)),
    Stage("demo", "方案演示", ("演示视频或链接",), 10, "给客户做方案演示，留下演示录屏或链接",
          (("演示视频或链接", "link|file"),)),
    Stage("quote", "报价反馈", ("报价邮件或截图",), 7, "发正式报价，拿到客户对报价的反馈",
          (("报价邮件或截图", "link|file|note:10"),)),
)
CLOSED = {"won": "赢单", "lost": "输单"}
MAX_KEY, MAX_EVIDENCE = 16, 16  # column widths of opportunity.stage and evidence.kind


@dataclass(frozen=True)
class Pipeline:
    """An ordered set of stages with the lookups handlers and cards need."""

    stages: tuple[Stage, ...] = STAGES

    def stage(self, key: str) -> Stage:
        """Return the stage for a key; raise KeyError naming the valid keys."""
        for s in self.stages:
            if s.key == key:
                return s
        raise KeyError(f"unknown stage {key!r}; stages are {', '.join(s.key for s in self.stages)}")

    def find(self, word: str) -> Stage | None:
        """Find a stage by key or Chinese name (import files and commands may use either)."""
        return next((s for s in self.stages if word in (s.key, s.name)), None)

    def stage_name(self, key: str) -> str:
        """Return the Chinese name of a stage or a closed status."""
        found = self.find(key)
        return found.name if found else CLOSED.get(key, key)

    def next_stage(self, key: str) -> Stage | None:
        """Return the stage after key, or None at the last stage."""
        i = self.stages.index(self.stage(key))
        return self.stages[i + 1] if i + 1 < len(self.stages) else None

    def is_last(self, key: str) -> bool:
        """Return True for the last stage (the one a deal is won from)."""
        return self.stages[-1].key == key

    def missing_evidence(self, key: str, provided: Iterable[str]) -> list[str]:
        """List the evidence items still missing for a stage, in the stage's order."""
        have = set(provided)
        return [item for item in self.stage(key).evidence if item not in have]

    def days_in_stage_label(self, days: int, key: str) -> str:
        """Say how long the deal has sat in its stage against the benchmark, in sales language."""
        bench = self.stage(key).benchmark_days
        if days > bench:
            return f"已停留 {days} 天（标准 {bench} 天，超了 {days - bench} 天）"
        return f"已停留 {days} 天（标准 {bench} 天）"


DEFAULT = Pipeline()


def parse_stage(row: Any, index: int) -> Stage | str:
    """Turn one `[[opportunities.stages]]` table into a Stage, or say what is wrong with it."""
    where = f"stage #{index + 1}"
    if not isinstance(row, dict):
        return f"{where} must be a table like {{key = \"needs\", name = \"需求确认\", evidence = [\"会议纪要\"]}}"
    key, name, evidence = row.get("key"), row.get("name"), row.get("evidence", [])
    if not isinstance(key, str) or not key.isascii() or not key.isidentifier() or len(key) > MAX_KEY:
        return f"{where}: key must be ASCII letters/digits/_ (at most {MAX_KEY}), e.g. \"needs\""
    if key in CLOSED:
        return f"{where}: key {key!r} is reserved for closed deals; pick another"
    if not isinstance(name, str) or not name.strip():
        return f"{where}: name is required, e.g. \"需求确认\""
    if not isinstance(evidence, list) or not all(isinstance(e, str) and 0 < len(e) <= MAX_EVIDENCE
                                                 for e in evidence):
        return f"{where}: evidence must be a list of short names (at most {MAX_EVIDENCE} characters each)"
    days = row.get("benchmark_days", 7)
    if type(days) is not int or days <= 0:
        return f"{where}: benchmark_days must be a positive whole number"
    unknown = set(row) - {"key", "name", "evidence", "benchmark_days", "next_step", "accepts"}
    if unknown:
        return (f"{where}: unknown keys {', '.join(sorted(unknown))}; use key, name, evidence, benchmark_days, "
                "next_step, accepts")
    accepts = row.get("accepts", {})
    if not isinstance(accepts, dict):
        return f"{where}: accepts must be a table like {{\"会议纪要\" = \"link|file|note:20\"}}"
    for item, spec in accepts.items():
        rule = evidence_rules.parse(spec)
        if item not in evidence:
            return f"{where}: accepts names {item!r}, which is not one of its evidence items"
        if isinstance(rule, str):
            return f"{where}: accepts.{item} {rule}"
    return Stage(key, name.strip(), tuple(evidence), days, str(row.get("next_step", "")),
                 tuple((k, str(v)) for k, v in accepts.items()))


def pipeline_problems(rows: list[Any]) -> list[str]:
    """List what is wrong with configured stages (empty means fine)."""
    parsed = [parse_stage(r, i) for i, r in enumerate(rows)]
    problems = [p for p in parsed if isinstance(p, str)]
    keys = [p.key for p in parsed if isinstance(p, Stage)]
    problems += [f"stage key {k!r} is used twice" for k in sorted({k for k in keys if keys.count(k) > 1})]
    return problems


def pipeline_from_config(rows: list[Any]) -> Pipeline:
    """Build the pipeline from config rows (validated by check-config); empty rows give the seed's stages."""
    if not rows:
        return DEFAULT
    problems = pipeline_problems(rows)
    if problems:
        raise ValueError("; ".join(problems) + " — fix [opportunities] stages in the config")
    parsed = [parse_stage(r, i) for i, r in enumerate(rows)]
    return Pipeline(tuple(p for p in parsed if isinstance(p, Stage)))  # every row parsed: no problems above


def pick_reason(text: str, reasons: list[str]) -> str | None:
    """Match a typed won/lost reason to the pick-list: its number, or its words plus an optional remark."""
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(reasons):
        return reasons[int(text) - 1]
    for reason in sorted(reasons, key=len, reverse=True):
        if text and text.startswith(reason):
            rest = text[len(reason):].strip(" ：:")
            return (f"{reason}：{rest}" if rest else reason)[:200]
    return None


# The default pipeline's lookups, for callers without settings (demo seeding, read API, tests).
stage = DEFAULT.stage
stage_name = DEFAULT.stage_name
next_stage = DEFAULT.next_stage
missing_evidence = DEFAULT.missing_evidence
days_in_stage_label = DEFAULT.days_in_stage_label
