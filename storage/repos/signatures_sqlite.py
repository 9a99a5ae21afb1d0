"""signatures.claim for SQLite on the inbox writer's own connection and thread (storage/repos/inbox_sqlite.py).

A DingTalk callback claims its signature before it is acked. Through the pooled engine that claim waited for a
connection behind handlers and the sender and then for the one write lock under SQLite's busy handler, which
sleeps up to 100 ms at a time (p99 441 ms at 970 callbacks/s); on the writer's connection it waits at most for
the lock holder to commit (the writer retries every 0.5 ms) and it is serialized with the inbox batches.
Same algorithm and the same race-safety as signatures.claim: BEGIN IMMEDIATE takes the write lock first.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.repos.inbox_sqlite import run, sql_time
from storage.repos.signatures import Claim, after_loss

_INSERT = ("INSERT INTO signature_seen (scheme, signature, slot, body_sha256, expires_at) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT DO NOTHING RETURNING id")
_SEEN = "SELECT body_sha256, slot FROM signature_seen WHERE scheme = ? AND signature = ?"


def claim(conn: sqlite3.Connection, scheme: str, signature: str, body_sha256: str, expires_at: datetime,
          limit: int) -> tuple[Claim, int]:
    """On the writer's thread: (where the body landed, the new row's id or 0)."""
    run(conn, "BEGIN IMMEDIATE", ())
    try:
        result = _claim(conn, (scheme[:32], signature[:128]), body_sha256, sql_time(expires_at), limit)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _claim(conn: sqlite3.Connection, key: tuple[str, str], digest: str, expires: str | None,
           limit: int) -> tuple[Claim, int]:
    slot = 0
    while slot < limit:
        if got := run(conn, _INSERT, (*key, slot, digest, expires)):
            return Claim(slot, retry=False), got[0][0]
        step = after_loss(dict(run(conn, _SEEN, key)), slot, digest)
        if isinstance(step, Claim):
            return step, 0
        slot = step
    return Claim(None, retry=False), 0
