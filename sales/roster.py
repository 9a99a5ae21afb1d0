"""Validate members CSV rows (name,role,team,manager,region,industries,capacity,mobile,ids…)."""

from __future__ import annotations

from dataclasses import dataclass

from sales.names import normalize_mobile

COLUMNS = ("name", "role", "team", "manager", "region", "industries", "capacity", "mobile",
           "wecom_userid", "dingtalk_userid", "feishu_open_id")
ROLES = ("rep", "manager", "admin")
IDENTITY_COLUMNS = {"wecom_userid": "wecom", "dingtalk_userid": "dingtalk", "feishu_open_id": "feishu"}


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
    return MemberRow(row["name"], row["role"], row["team"], row["manager"], row["region"], industries,
                     int(capacity), mobile, identities)
