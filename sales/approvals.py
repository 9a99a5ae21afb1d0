"""Quote approvals: when one is needed, and how a quote line is read.

Discounts are percent off the list price: "85折" and "8.5折" are 15, "15%" is 15.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sales.parsing import parse_amount

MODES = ("discount", "always", "never")
RESULTS = ("approved", "rejected")
_DISCOUNT = re.compile(r"(?:折扣|discount)?\s*[:：]?\s*(\d+(?:\.\d+)?)\s*(%|折)")
_BARE_DISCOUNT = re.compile(r"(?:折扣|discount)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Quote:
    """A quote as the rep typed it: amount in yuan and discount in percent off (None when not said)."""

    amount: int | None
    discount: float | None


def discount_percent(number: str, unit: str) -> float | None:
    """Turn "15" + "%" or "85"/"8.5" + "折" into percent off; None when it is not a discount."""
    value = float(number)
    if unit == "折":
        value = 100 - (value * 10 if value < 10 else value)
    return round(value, 2) if 0 <= value < 100 else None


def parse_quote(text: str) -> Quote:
    """Parse `45万 折扣 15%`, `45万 85折` or `45万` into a Quote."""
    rest, discount = text.strip(), None
    m = _DISCOUNT.search(rest) or _BARE_DISCOUNT.search(rest)
    if m:
        discount = discount_percent(m.group(1), m.group(2) if m.lastindex == 2 else "%")
        rest = (rest[: m.start()] + rest[m.end():]).strip()
    amount = parse_amount(rest).low if rest else None
    return Quote(amount, discount)


def quote_needed(mode: str) -> bool:
    """Whether the discount must be known before the approval stage (only the discount mode reads it)."""
    return mode == "discount"


def approval_reason(mode: str, threshold: float, discount: float | None) -> str | None:
    """Return why entering the approval stage needs a manager's approval, or None when it does not."""
    if mode == "always":
        return "按公司规定，每次报价都要主管审批"
    if mode == "discount" and discount is not None and discount > threshold:
        return f"折扣 {discount:g}% 超过了 {threshold:g}% 的审批线"
    return None


def format_discount(discount: float | None) -> str:
    """Show a discount the way sales people say it: 15%（85折）."""
    if discount is None:
        return "未填"
    fold = (100 - discount) / 10
    return f"{discount:g}%（{fold:g}折）"
