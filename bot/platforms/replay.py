"""Replay protection for signatures that carry no nonce (DingTalk robot and card HTTP callbacks).

DingTalk signs only the timestamp: HMAC(secret, timestamp[+"\\n"+secret]). Anyone who captures one
header pair could post any body under it while the timestamp is fresh. So the first use of a
signature is remembered in the database (every replica sees it) together with the body's SHA-256:
- the same signature with the same body again is the platform retrying — let through (the inbox dedupes);
- the same signature with another body is a replay → 403.
Rows expire when the timestamp leaves the window ([security] replay_window_seconds, 300 s) and are pruned.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from bot.core.errors import Forbidden
from storage.db import Database
from storage.repos import signatures


async def first_use(db: Database, scheme: str, signature: str, timestamp_ms: int, body: bytes, now: datetime,
                    window_s: int) -> None:
    """Raise Forbidden when this signature was already used for a different body."""
    expires = datetime.fromtimestamp(timestamp_ms / 1000, UTC) + timedelta(seconds=window_s)
    digest = hashlib.sha256(body).hexdigest()
    first = await signatures.claim(db, scheme, signature, digest, expires, now)
    if first != digest:
        raise Forbidden(f"{scheme} signature was already used for another body (a replayed request); "
                        "the platform signs each callback afresh")
