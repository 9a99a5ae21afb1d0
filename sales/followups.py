"""Follow-up text rules (no I/O): `<内容> [下次 <日期>]` → the note and the next-contact date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_NEXT = re.compile(r"(?:^|\s)下次(?:联系)?[\s:：]*(\S+)\s*$")
_WEEKDAYS = "一二三四五六日天"
_ISO = re.compile(r"^(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})$")
_CN = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?$")
_IN_DAYS = re.compile(r"^(\d{1,3})天(?:后|以后)$")


@dataclass(frozen=True)
class FollowUpText:
    """What a rep wrote: the note, the next-contact date (None when not given) and a problem with the date."""

    note: str
    next_date: date | None = None
    problem: str = ""


def parse_date(word: str, today: date) -> date | None:
    """Read 明天/后天/周三/3天后/12-10/2026-12-10/12月10日; a month-day already past means next year."""
    word = word.strip()
    simple = {"今天": 0, "明天": 1, "后天": 2, "大后天": 3}
    if word in simple:
        return today + timedelta(days=simple[word])
    if m := _IN_DAYS.match(word):
        return today + timedelta(days=int(m.group(1)))
    if (len(word) == 2 and word[0] == "周" and word[1] in _WEEKDAYS) or (word[:2] == "星期" and word[2:] in _WEEKDAYS):
        target = min(_WEEKDAYS.index(word[-1]), 6)
        ahead = (target - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    m = _ISO.match(word) or _CN.match(word)
    if not m:
        return None
    try:
        found = date(int(m.group(1) or today.year), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return found.replace(year=found.year + 1) if m.group(1) is None and found < today else found


def parse_followup(text: str, today: date) -> FollowUpText:
    """Split off a trailing `下次 <日期>`; an unreadable date is a problem, never silently dropped."""
    m = _NEXT.search(text)
    if not m:
        return FollowUpText(text.strip())
    note = text[:m.start()].strip()
    when = parse_date(m.group(1), today)
    if when is None:
        return FollowUpText(note, None, f"“{m.group(1)}”不是日期；这样写：下次 明天 / 下次 周三 / 下次 12-10")
    if when < today:
        return FollowUpText(note, None, f"{when.isoformat()} 已经过去了，下次联系要写今天以后的日期")
    return FollowUpText(note, when)
