"""The opportunity lifecycle: gated stages, the evidence each needs, and the benchmark days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One selling stage, the evidence needed to leave it, and how long it usually takes."""

    key: str
    name: str
    evidence: tuple[str, ...]
    benchmark_days: int
    next_step: str


STAGES: tuple[Stage, ...] = (
    Stage("needs", "需求确认", ("会议纪要",), 7, "约客户开需求沟通会，会后发会议纪要"),
    Stage("demo", "方案演示", ("演示视频或链接",), 10, "给客户做方案演示，留下演示录屏或链接"),
    Stage("quote", "报价反馈", ("报价邮件或截图",), 7, "发正式报价，拿到客户对报价的反馈"),
)
CLOSED = {"won": "赢单", "lost": "输单"}
_BY_KEY = {s.key: s for s in STAGES}


def stage(key: str) -> Stage:
    """Return the stage for a key; raise KeyError naming the valid keys."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown stage {key!r}; stages are {', '.join(_BY_KEY)}") from None


def stage_name(key: str) -> str:
    """Return the Chinese name of an open stage or a closed status."""
    return _BY_KEY[key].name if key in _BY_KEY else CLOSED.get(key, key)


def next_stage(key: str) -> Stage | None:
    """Return the stage after key, or None at the last stage."""
    i = STAGES.index(stage(key))
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def missing_evidence(key: str, provided: Iterable[str]) -> list[str]:
    """List the evidence items still missing for a stage, in the stage's order."""
    have = set(provided)
    return [item for item in stage(key).evidence if item not in have]


def days_in_stage_label(days: int, key: str) -> str:
    """Say how long the deal has sat in its stage against the benchmark, in sales language."""
    bench = stage(key).benchmark_days
    if days > bench:
        return f"已停留 {days} 天（标准 {bench} 天，超了 {days - bench} 天）"
    return f"已停留 {days} 天（标准 {bench} 天）"
