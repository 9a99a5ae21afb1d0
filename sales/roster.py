"""Validate members CSV rows (name,role,team,manager,region,industries,capacity,mobile,ids…)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sales.names import normalize_mobile

COLUMNS = ("name", "role", "team", "manager", "region", "industries", "capacity", "mobile",
           "wecom_userid", "dingtalk_userid", "feishu_open_id")
ROLES = ("rep", "manager", "admin")
IDENTITY_COLUMNS = {"wecom_userid": "wecom", "dingtalk_userid": "dingtalk", "feishu_open_id": "feishu"}
OPTIONAL = ("is_new", "active", "leave")  # absent or empty: the member's value is left as it is
_FLAGS = {"1": True, "0": False, "true": True, "false": False, "是": True, "否": False}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class MemberRow:
    """One valid CSV row."""

    name: str
    role: str
    team: str
    manager: str
    region: str
    industries: tuple[str, ...]
    capacity: int
    mobile: str
    identities: dict[str, str]
    flags: dict[str, object] = field(default_factory=dict)  # is_new / active / leave_from + leave_until


def check_header(header: list[str]) -> str | None:
    """Return a problem with the header, or None."""
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return f"missing columns: {', '.join(missing)} (header must be: {','.join(COLUMNS)})"
    return None


def parse_row(raw: dict[str, str], known_managers: set[str]) -> MemberRow | str:
    """Return a MemberRow, or the reason the row is rejected."""
    row = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    if not row["name"]:
        return "name is empty"
    if row["role"] not in ROLES:
        return f"role {row['role']!r} must be one of {'|'.join(ROLES)}"
    capacity = row["capacity"] or "50"
    if not (capacity.isascii() and capacity.isdigit()):
        return f"capacity {capacity!r} must be a whole number"
    mobile = ""
    if row["mobile"]:
        mobile = normalize_mobile(row["mobile"]) or ""
        if not mobile:
            return "mobile is not an 11-digit mainland mobile number"
    if row["manager"] and row["manager"] not in known_managers:
        return f"manager {row['manager']!r} is neither in this file nor an existing member"
    if row["manager"] == row["name"]:
        return "a member cannot be their own manager"
    industries = tuple(i.strip() for i in row["industries"].split(";") if i.strip())
    identities = {p: row[c] for c, p in IDENTITY_COLUMNS.items() if row[c]}
    flags = parse_flags(raw)
    if isinstance(flags, str):
        return flags
    return MemberRow(row["name"], row["role"], row["team"], row["manager"], row["region"], industries,
                     int(capacity), mobile, identities, flags)


def parse_flags(raw: dict[str, str]) -> dict[str, object] | str:
    """Read the optional is_new / active (1/0) and leave (YYYY-MM-DD..YYYY-MM-DD) columns; a reason if bad."""
    out: dict[str, object] = {}
    for key in ("is_new", "active"):
        value = (raw.get(key) or "").strip().lower()
        if value and value not in _FLAGS:
            return f"{key} {value!r} must be 1 or 0"
        if value:
            out[key] = _FLAGS[value]
    leave = (raw.get("leave") or "").strip()
    if leave:
        start, sep, end = leave.partition("..")
        if not sep or not _DAY.match(start) or not _DAY.match(end) or not _valid(start, end):
            return f"leave {leave!r} must be YYYY-MM-DD..YYYY-MM-DD (first day..last day), e.g. 2026-12-01..2026-12-07"
        out["leave_from"], out["leave_until"] = start, end
    return out


def _valid(start: str, end: str) -> bool:
    try:
        return date.fromisoformat(start) <= date.fromisoformat(end)
    except ValueError:
        return False


def on_leave(day: date, leave_from: str, leave_until: str) -> bool:
    """True when `day` falls inside the leave span (inclusive)."""
    return bool(leave_from and leave_until) and leave_from <= day.isoformat() <= leave_until
