"""Turn one chat line into structured fields, so entry takes seconds, not a form."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "千": 1_000, "k": 1_000, "K": 1_000, "亿": 100_000_000, "": 1}
_AMOUNT = r"(\d+(?:\.\d+)?)\s*(万|w|W|千|k|K|亿)?\s*元?"
_RANGE = re.compile(rf"^{_AMOUNT}\s*(?:-|~|到|至)\s*{_AMOUNT}$")
_SINGLE = re.compile(rf"^{_AMOUNT}$")
_KEYWORDS = {"预算": "budget", "budget": "budget", "行业": "industry", "industry": "industry",
             "需求": "need", "need": "need"}
# A keyword starts after whitespace, so "中国银行业协会" and "Needham" stay whole customer names.
_KEY_RE = re.compile(r"(?:(?<=\s)|^)(预算|行业|需求|budget|industry|need)(?=[\s:：\d]|$)\s*[:：]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Budget:
    """A budget as the customer said it plus the parsed range in yuan."""

    text: str
    low: int | None
    high: int | None


@dataclass(frozen=True)
class NewOpportunityInput:
    """Fields of `新建商机 <客户> [预算 <金额>] [行业 <行业>] [需求 <文本>]`."""

    customer: str
    budget: Budget
    industry: str
    need: str


def parse_amount(text: str) -> Budget:
    """Parse "50万", "50-80万", "5万~8万", "1.2亿" or "500000" into yuan; unknown text keeps no range."""
    t = text.strip().replace("，", "").replace(",", "")
    m = _RANGE.match(t)
    if m:
        unit_hi = m.group(4) or ""
        unit_lo = m.group(2) or unit_hi
        return Budget(text, _yuan(m.group(1), unit_lo), _yuan(m.group(3), unit_hi))
    m = _SINGLE.match(t)
    if m:
        value = _yuan(m.group(1), m.group(2) or "")
        return Budget(text, value, value)
    return Budget(text, None, None)


def _yuan(number: str, unit: str) -> int:
    return round(float(number) * _UNITS[unit])


def parse_new_opportunity(args: str) -> NewOpportunityInput | None:
    """Parse the arguments after 新建商机; return None when no customer name is given."""
    parts = _KEY_RE.split(args.strip())
    customer = parts[0].strip()
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        values[_KEYWORDS[key.lower()]] = value.strip()
    if not customer:
        return None
    budget = parse_amount(values["budget"]) if values.get("budget") else Budget("", None, None)
    return NewOpportunityInput(customer, budget, values.get("industry", ""), values.get("need", ""))


def format_yuan(value: int | None) -> str:
    """Show an amount the way sales people say it: 50万, 1.2亿, 8000元."""
    if value is None:
        return "未知"
    if value >= 100_000_000:
        return f"{value / 100_000_000:g}亿"
    if value >= 10_000:
        return f"{value / 10_000:g}万"
    return f"{value}元"


def format_budget(budget: Budget) -> str:
    """Show the customer's own budget words plus the parsed range."""
    if not budget.text:
        return "客户还没说预算"
    if budget.low is None:
        return f"客户原话：{budget.text}"
    if budget.low == budget.high:
        said = format_yuan(budget.low)
        return said if said == budget.text.strip() else f"{said}（客户原话：{budget.text}）"
    return f"{format_yuan(budget.low)}–{format_yuan(budget.high)}（客户原话：{budget.text}）"
