"""Checks on text a request carries (query, form, cookie, token) that hold for any input at all.

`hmac.compare_digest` raises TypeError on a non-ASCII str, `"²".isdigit()` is True while `int("²")` raises,
and an id of 30 digits overflows the database's BIGINT: each of these turned a hostile link into a 503.
"""

from __future__ import annotations

import hmac
import re

_ID = re.compile(r"[0-9]{1,18}")


def same_secret(given: str, expected: str) -> bool:
    """Compare a signature or token from a request with ours in constant time; any other text is unequal."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def as_id(raw: str | None) -> int | None:
    """Return an id, count or timestamp written as 1–18 ASCII digits, else None."""
    return int(raw) if raw and _ID.fullmatch(raw) else None
