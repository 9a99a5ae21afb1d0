"""History import rows (no I/O): the columns of each kind and one row's checks, each failure a reason to show.

Columns per INTERFACE.md. Dates are YYYY-MM-DD or ISO 8601 in org time; amounts are yuan ("12,800", "1.2万").
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import NoReturn

from bot.core.vocab import InteractionKind
from sales.names import normalize_company, normalize_mobile

COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer", "industry", "region", "owner", "mobile", "contact", "source", "created_at"),
    "orders": ("customer", "amount", "ordered_at", "product", "accepted_at"),
    "interactions": ("customer", "member", "kind", "at", "note"),
}
# Histories repeat the same customers and days on many rows: parse each distinct text once.
company_key = lru_cache(maxsize=1 << 18)(normalize_company)


@lru_cache(maxsize=1 << 14)
def _moment(text: str, tz: tzinfo) -> tuple[datetime, str]:
    """A date text parsed once per import: the aware datetime (the same object each time) and its ISO form."""
    parsed = datetime.fromisoformat(text.replace("/", "-"))
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    return parsed, parsed.isoformat()


_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(万)?$")
MAX_AMOUNT = 10 ** 12


class Reject(ValueError):
    """A row that cannot be imported, with the reason a person can act on."""


def check_header(kind: str, header: list[str]) -> str:
    """The problem with a header ("" when every column is there; extra columns are ignored)."""
    missing = [c for c in COLUMNS[kind] if c not in header]
    if missing:
        return f"missing columns: {', '.join(missing)} (the header must have: {','.join(COLUMNS[kind])})"
    return ""


def when(text: str, tz: tzinfo, column: str, required: bool = True) -> datetime | None:
    """A date or ISO 8601 time in org time (aware); raise Reject naming the column."""
    if not text:
        return _required(column) if required else None
    return moment(text, tz, column)[0]


def moment(text: str, tz: tzinfo, column: str) -> tuple[datetime, str]:
    """A non-empty date's aware datetime and ISO text (the row keys hash it); raise Reject naming the column."""
    try:
        return _moment(text, tz)
    except ValueError:
        raise Reject(f"{column} {text!r} is not a date; write it like 2026-11-27 or 2026-11-27T09:30") from None


def amount(text: str) -> int:
    """Yuan as a whole number ("12,800.50" → 12801, "1.2万" → 12000)."""
    if text.isascii() and text.isdigit() and len(text) < 13:  # the common case: plain whole yuan, no regex
        return int(text)
    m = _AMOUNT.match(text.replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip())
    if not m:
        raise Reject(f"amount {text!r} is not a number of yuan; write it like 12800 or 1.2万")
    value = round(float(m.group(1)) * (10_000 if m.group(2) else 1))
    if value > MAX_AMOUNT:
        raise Reject(f"amount {text!r} is too large; check the unit (yuan, not fen)")
    return value


@dataclass(frozen=True)
class CustomerRow:
    """One valid customers row."""

    name: str
    key: str  # normalized name
    industry: str
    region: str
    owner: str
    mobile: str
    contact: str
    source: str
    created_at: datetime | None


def customer_row(raw: dict[str, str], tz: tzinfo) -> CustomerRow:
    """Check one customers row."""
    name = raw.get("customer", "")
    key = company_key(name)
    if not key:
        raise Reject("customer is empty; write the customer's (company's) name")
    mobile = raw.get("mobile", "")
    if mobile and not normalize_mobile(mobile):
        raise Reject(f"mobile {mobile!r} is not an 11-digit mainland mobile number")
    return CustomerRow(name[:120], key[:120], raw.get("industry", "")[:40], raw.get("region", "")[:40],
                       raw.get("owner", ""), normalize_mobile(mobile) or "", raw.get("contact", "")[:80],
                       raw.get("source", "")[:80], when(raw.get("created_at", ""), tz, "created_at", required=False))


@dataclass(frozen=True)
class OrderRow:
    """One valid orders row; `key` makes re-importing the same row a no-op."""

    customer_key: str
    amount: int
    ordered_at: datetime
    product: str
    accepted_at: datetime | None
    key: str


def order_row(raw: dict[str, str], tz: tzinfo) -> OrderRow:
    """Check one orders row."""
    key = company_key(raw.get("customer", ""))
    if not key:
        raise Reject("customer is empty; write the customer's name as in the customers import")
    yuan = amount(raw.get("amount", ""))
    ordered, ordered_iso = moment(raw.get("ordered_at", "") or _required("ordered_at"), tz, "ordered_at")
    accepted_text = raw.get("accepted_at", "")
    accepted, accepted_iso = moment(accepted_text, tz, "accepted_at") if accepted_text else (None, "")
    if accepted is not None and accepted < ordered:
        raise Reject("accepted_at is before ordered_at; the first delivery is accepted after the order")
    product = raw.get("product", "")[:80]
    return OrderRow(key, yuan, ordered, product, accepted,
                    digest("order", key, yuan, ordered_iso, product, accepted_iso))


def _required(column: str) -> NoReturn:
    """Reject a row whose required date is empty."""
    raise Reject(f"{column} is empty; write a date like 2026-11-27")


@dataclass(frozen=True)
class InteractionRow:
    """One valid interactions row."""

    customer_key: str
    member: str
    kind: InteractionKind
    at: datetime
    note: str
    key: str


def interaction_row(raw: dict[str, str], tz: tzinfo) -> InteractionRow:
    """Check one interactions row."""
    key = company_key(raw.get("customer", ""))
    if not key:
        raise Reject("customer is empty; write the customer's name as in the customers import")
    kind = InteractionKind.parse(raw.get("kind", ""))
    if kind is None:
        raise Reject(f"kind {raw.get('kind', '')!r} is not one of 拜访, 会议, 演示, 电话, 消息, 资料下载, 方案修改 "
                     "(or visit, meeting, demo, call, message, download, revision)")
    at, at_iso = moment(raw.get("at", "") or _required("at"), tz, "at")
    member, note = raw.get("member", ""), raw.get("note", "")
    return InteractionRow(key, member, kind, at, note, digest("interaction", key, member, kind.value, at_iso, note))


def digest(*parts: object) -> str:
    """A stable 64-hex key of a row's meaning."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
