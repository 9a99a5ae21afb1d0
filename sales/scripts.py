"""The script library (话术库): deterministic, explainable top-3 matching for a customer and stage.

Score = stage (+3 exact, +1 any-stage script) + industry (+3 exact, +1 generic script)
+ budget band (+2 exact, +1 any-budget script) + need keywords (+1 each, at most 2)
+ adoption (the script's adoption rate, 0..1, once it was shown at least MIN_SHOWN times).
A script written for another stage or another (known) industry is never offered.
Ties break on the script id, so the same data always gives the same three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

BANDS: tuple[tuple[str, int, int | None], ...] = (("小单", 0, 100_000), ("中单", 100_000, 500_000),
                                                  ("大单", 500_000, None))
BAND_ALIASES = {"small": "小单", "medium": "中单", "large": "大单", "小": "小单", "中": "中单", "大": "大单"}
GENERIC = ("", "通用", "any")
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "医疗": ("医疗", "医院", "医药", "药业", "卫生", "诊所", "健康", "生物"),
    "制造": ("制造", "机械", "工业", "电子", "汽车", "钢", "化工", "工厂", "精密", "重工"),
    "教育": ("教育", "学校", "大学", "学院", "培训", "中学", "小学", "幼儿园"),
    "零售": ("零售", "超市", "商贸", "百货", "便利", "连锁", "商城", "电商"),
    "金融": ("金融", "银行", "证券", "保险", "基金", "信托", "信贷", "支付"),
}
MIN_SHOWN = 5


@dataclass(frozen=True)
class Script:
    """One script as the matcher sees it."""

    id: int
    title: str
    stage: str
    industry: str = ""
    band: str = ""
    scenario: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """The customer and stage a rep needs words for."""

    stage: str
    industry: str = ""
    budget_low: int | None = None
    budget_high: int | None = None
    need: str = ""


@dataclass(frozen=True)
class Match:
    """A scored script and the reasons for its score, in the order they were added."""

    script: Script
    score: float
    reasons: tuple[str, ...]

    def explain(self) -> str:
        """Say why this script was picked, e.g. "阶段对口 +3 · 行业对口（医疗）+3"."""
        return " · ".join(self.reasons)


def band_of(low: int | None, high: int | None) -> str:
    """Return the budget band of a parsed budget range ("" when unknown)."""
    if low is None and high is None:
        return ""
    mid = ((low or high or 0) + (high or low or 0)) / 2
    return next(name for name, lo, hi in BANDS if mid >= lo and (hi is None or mid < hi))


def normalize_band(value: str) -> str | None:
    """Return 小单/中单/大单, "" for any budget, or None when the value is not a band."""
    value = value.strip()
    if value in GENERIC:
        return ""
    value = BAND_ALIASES.get(value.lower(), value)
    return value if value in {b[0] for b in BANDS} else None


def infer_industry(customer_name: str) -> str:
    """Guess the industry from words in a text (the customer's name, its need): "华东医疗" -> 医疗, "" when unsure."""
    for industry, words in INDUSTRY_WORDS.items():
        if any(w in customer_name for w in words):
            return industry
    return ""


def score(script: Script, target: Target, adoption: float | None = None) -> Match | None:
    """Score one script for a target; None when it must not be offered (other stage or industry)."""
    stage_part, industry_part = _stage_part(script, target), _industry_part(script, target)
    if stage_part is None or industry_part is None:
        return None
    parts = [stage_part, industry_part, *_band_part(script, target), *_keyword_part(script, target)]
    if adoption is not None:
        parts.append((round(adoption, 2), f"采用率 {adoption:.0%} +{adoption:.2f}"))
    parts = [p for p in parts if p[1]]
    total = sum(points for points, _ in parts)
    reasons = [why for _, why in parts]
    return Match(script, round(total, 2), tuple(reasons))


def _stage_part(script: Script, target: Target) -> tuple[float, str] | None:
    if script.stage == target.stage:
        return 3, "阶段对口 +3"
    return (1, "各阶段通用 +1") if script.stage in GENERIC else None


def _industry_part(script: Script, target: Target) -> tuple[float, str] | None:
    if script.industry in GENERIC:
        return 1, "各行业通用 +1"
    if script.industry == target.industry:
        return 3, f"行业对口（{script.industry}）+3"
    return None  # another industry's words, or an unknown industry: never cross industries on a guess


def _band_part(script: Script, target: Target) -> list[tuple[float, str]]:
    band = band_of(target.budget_low, target.budget_high)
    if script.band in GENERIC:
        return [(1, "不限预算 +1")]
    return [(2, f"预算档位（{band}）+2")] if band and script.band == band else []


def _keyword_part(script: Script, target: Target) -> list[tuple[float, str]]:
    hits = [k for k in script.keywords if k and k in target.need][:2]
    return [(1, f"需求提到“{k}” +1") for k in hits]


def top(scripts: Iterable[Script], target: Target, adoption: Mapping[int, tuple[int, int]] | None = None,
        n: int = 3) -> list[Match]:
    """Return the n best matches; adoption maps script id -> (times shown, times used)."""
    adoption = adoption or {}
    matches = []
    for s in scripts:
        shown, used = adoption.get(s.id, (0, 0))
        rate = min(1.0, used / shown) if shown >= MIN_SHOWN else None
        m = score(s, target, rate)
        if m is not None:
            matches.append(m)
    matches.sort(key=lambda m: (-m.score, m.script.id))
    return matches[:n]
