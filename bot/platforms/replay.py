"""Replay protection for signatures that carry no nonce (DingTalk robot and card HTTP callbacks).

DingTalk signs only the timestamp: HMAC(secret, timestamp[+"\\n"+secret]). Anyone who captures one
header pair could post any body under it while the timestamp is fresh. But two genuine callbacks
stamped in the same millisecond also share a signature, so a signature is allowed a few bodies, not one.
The bodies' SHA-256 digests are kept in the database (every replica sees them):
- the same signature with a body already seen is the platform retrying — let through (the inbox dedupes);
- another body is let through while the signature has fewer than MAX_BODIES (8) — a same-ms burst;
- a body beyond that is a replay → 403.
Why 8: DingTalk's messages to one app arrive like a Poisson stream; at 20/s a message shares its
millisecond with another about 1 time in 50 (one body per signature lost ~1 % of them), while a 9th body
in one millisecond happens about once in 10^19 messages at 20/s and once in 800,000 at 1,000/s — only
thousands of messages a second to one app make it likely. A captured pair then buys at most 7 forged
bodies inside the window instead of any number.
Rows expire when the timestamp leaves the window ([security] replay_window_seconds, 300 s) and are pruned.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from bot.core.errors import Forbidden
from storage.repos.inbox_writer import InboxWriter

log = logging.getLogger("salesbot.replay")
MAX_BODIES = 8  # distinct bodies one signature may carry (the docstring says why 8)


async def admit(inbox: InboxWriter, scheme: str, signature: str, timestamp_ms: int, body: bytes, now: datetime,
                window_s: int) -> None:
    """Raise Forbidden when the signature already carried MAX_BODIES other bodies (claimed on the inbox writer's
    connection: the ack path never waits for a pooled one)."""
    expires = datetime.fromtimestamp(timestamp_ms / 1000, UTC) + timedelta(seconds=window_s)
    digest = hashlib.sha256(body).hexdigest()
    got = await inbox.claim_signature(scheme, signature, digest, expires, now, MAX_BODIES)
    if got.retry or got.slot == 0:
        return
    # the signature itself is a live credential until it expires: log the scheme and timestamp, never it
    facts = {"scheme": scheme, "timestamp_ms": timestamp_ms, "body_sha256": digest[:12], "bound": MAX_BODIES}
    if got.slot is None:
        log.warning("signature reused for another body past the bound: refused as a replay", extra=facts)
        raise Forbidden(f"{scheme} signature was already used for {MAX_BODIES} other bodies (a replayed request); "
                        "the platform signs each callback afresh")
    # info, not warning: at 20 messages/s about 2% of callbacks share a millisecond with another, all genuine
    log.info("signature reused for another body: a same-millisecond callback, let through",
                extra={**facts, "bodies": got.slot + 1})
