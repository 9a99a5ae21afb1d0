"""Orders from live deals: what a won deal's order is worth and when a customer accepted its first delivery."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_MD = re.compile(r"^(\d{1,2})(?:[-/.]|月)(\d{1,2})日?$")
_BACK = {"今天": 0, "昨天": 1, "前天": 2}
FUTURE = "验收日期不能晚于今天：客户验收之后再记，或者写验收那天的日期（例：验收 华东医疗 2026-12-01）。"
BAD_DATE = "看不懂日期“{}”。这样写：验收 华东医疗 2026-12-01（或 12-01、昨天；不写就是现在）。"


def order_amount(amount: int | None, low: int | None, high: int | None) -> int:
    """Return the deal's amount, else the middle of the budget the customer said, else 0 (nothing known)."""
    if amount:
        return amount
    said = [v for v in (low, high) if v]
    return sum(said) // len(said) if said else 0


@dataclass(frozen=True)
class AcceptText:
    """What `验收 <客户> [日期]` said: the customer words, the day (None: now) and a problem to tell."""

    customer: str
    day: date | None = None
    problem: str = ""


def parse_day(word: str, today: date) -> date | None:
    """Read 2026-12-01 / 12-01 / 12月1日 (this year) / 今天 / 昨天 / 前天; None when it is no date."""
    if word in _BACK:
        return today - timedelta(days=_BACK[word])
    iso, md = _ISO.match(word), _MD.match(word)
    if iso is not None:
        year, month, day = iso.groups()
    elif md is not None:
        year, month, day = today.year, *md.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_accept(text: str, today: date) -> AcceptText:
    """Split `<客户> [日期]`; a trailing date in the future or unreadable date-like word is a problem."""
    words = text.split()
    if not words:
        return AcceptText("")
    last = words[-1]
    day = parse_day(last, today) if len(words) > 1 else None
    if day is None:
        looks_like_date = len(words) > 1 and bool(re.match(r"^\d{1,4}[-/.月]", last))
        return AcceptText(" ".join(words), problem=BAD_DATE.format(last) if looks_like_date else "")
    if day > today:
        return AcceptText(" ".join(words[:-1]), day, FUTURE)
    return AcceptText(" ".join(words[:-1]), day)


def accepted_at(day: date | None, now: datetime, tz: tzinfo) -> datetime:
    """The acceptance time: now without a day or for today, else that day's local start."""
    if day is None or day >= now.astimezone(tz).date():
        return now
    return datetime.combine(day, time(0, 0), tz)
