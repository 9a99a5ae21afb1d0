"""Defect #19.1: refused bodies cannot fill the disk — capped per source and in total, sampled, pruned,
and a body that never authenticated keeps only a prefix, its size and its hash."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

from sqlalchemy import select

from bot.platforms.refusals import SourceGate
from storage.models import RejectedRequest
from storage.repos import requests as archive


async def _rows(rt) -> list[RejectedRequest]:
    async with rt.db.sessions() as s:
        return list((await s.execute(select(RejectedRequest).order_by(RejectedRequest.id))).scalars())


def _db_bytes(rt) -> int:
    path = rt.settings.database.url.split("///", 1)[1]
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


async def test_300_forged_posts_grow_the_database_by_a_small_bounded_amount(client, rt):
    body = b'{"mobile": "13800000000", "pad": "' + b"x" * 65_536 + b'"}'
    rt.settings.intake.channels = {"web_form": {"token": "t" * 24}}  # a real channel: the forger guesses its token
    before = _db_bytes(rt)
    for _ in range(300):
        resp = await client.post("/intake/web_form", data=body, headers={"X-Intake-Token": "guess"})
        assert resp.status == 401
    rows = await _rows(rt)
    cap = rt.settings.security
    assert len(rows) <= cap.archive_per_source_per_minute + 300 // cap.archive_sample_every + 1
    assert all(len(r.body) <= cap.archive_prefix_bytes and r.truncated and r.body_size == len(body) for r in rows)
    assert rows[0].body_sha256 == hashlib.sha256(body).hexdigest() and rows[0].source == "127.0.0.1"
    assert _db_bytes(rt) - before < 512 * 1024  # was 300 × 64 KiB ≈ 19 MiB before the fix (365 MiB at 1 MiB each)
    assert "sampled" in rows[-1].reason


def test_the_gate_keeps_the_first_n_then_one_in_every_k_per_source_and_overall():
    t = [0.0]
    gate = SourceGate(per_source=3, total=5, sample_every=4, now=lambda: t[0])
    kept = [gate.admit("a")[0] for _ in range(11)]
    assert kept == [True] * 3 + [False, False, False, True, False, False, False, True]
    assert [gate.admit("b")[0] for _ in range(2)] == [False, True]  # past the total cap: 1 in 4 of all
    t[0] = 60.0
    assert gate.admit("b") == (True, 0)  # a new minute


async def test_the_archive_is_pruned_by_age_rows_and_bytes(rt, clock):
    now = clock.now()
    db = rt.db
    for i in range(6):
        await archive.archive(db, "/x", 401, "r", "", b"z" * 1000, now - timedelta(days=40 if i < 2 else 0))
    limits = archive.Limits(max_rows=3, max_bytes=10**9, retention_days=30)
    assert await archive.prune(db, now, limits) == 3  # two too old, then one beyond three rows
    assert await archive.prune(db, now, archive.Limits(max_rows=10, max_bytes=2500, retention_days=30)) == 1
    assert await archive.totals(db) == (2, 2000)


async def test_every_50th_write_prunes_without_a_job(rt, clock):
    limits = archive.Limits(max_rows=10, max_bytes=10**9, retention_days=30)
    for _ in range(archive.PRUNE_EVERY):
        await archive.archive(rt.db, "/x", 401, "r", "", b"q", clock.now(), limits=limits)
    assert (await archive.totals(rt.db))[0] == 10
