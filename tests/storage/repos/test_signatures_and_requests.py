"""The 1910 tables on SQLite and PostgreSQL: signature memory shared by replicas (a few bodies per signature,
counted once each under concurrent claims), the archive's pruning, and the migrations matching the models."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade
from storage.repos import requests as archive
from storage.repos import signatures
from storage.repos.signatures import Claim
from tests.helpers import schema_drift

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
TABLES = {"signature_seen", "rejected_request"}


async def test_two_replicas_claiming_one_signature_with_different_bodies_both_count(migrated_db, db_url):
    other = Database(db_url)  # a second replica: its own engine on the same database
    try:
        later = NOW + timedelta(minutes=5)
        results = await asyncio.gather(signatures.claim(migrated_db, "dingtalk.robot", "sig", "body-a", later, NOW, 8),
                                       signatures.claim(other, "dingtalk.robot", "sig", "body-b", later, NOW, 8))
        assert sorted(results) == [Claim(0, False), Claim(1, False)]  # both let through, in distinct slots
        assert await signatures.claim(other, "dingtalk.robot", "sig", "body-a", later, NOW, 8) == results[0]._replace(
            retry=True)
        assert await signatures.claim(other, "dingtalk.card", "sig", "body-b", later, NOW, 8) == Claim(0, False)
        assert await signatures.prune(migrated_db, later + timedelta(seconds=1)) == 3
    finally:
        await other.close()


async def test_a_concurrent_burst_fills_exactly_the_bound_across_replicas(migrated_db, db_url):
    other = Database(db_url)
    try:
        later = NOW + timedelta(minutes=5)
        claims = [signatures.claim(migrated_db if i % 2 else other, "dingtalk.robot", "sig", f"body-{i}", later, NOW, 8)
                  for i in range(12)]
        results = await asyncio.gather(*claims)
        assert sorted(r.slot for r in results if r.slot is not None) == list(range(8))
        assert [r for r in results if r.slot is None] == [Claim(None, False)] * 4
        assert not any(r.retry for r in results)
    finally:
        await other.close()


async def test_the_same_body_claimed_at_once_by_two_replicas_is_one_body_and_a_retry(migrated_db, db_url):
    other = Database(db_url)
    try:
        later = NOW + timedelta(minutes=5)
        results = await asyncio.gather(*(signatures.claim(db, "dingtalk.robot", "sig", "body-a", later, NOW, 8)
                                         for db in (migrated_db, other, migrated_db, other)))
        assert sorted(results) == [Claim(0, False)] + [Claim(0, True)] * 3
    finally:
        await other.close()


async def test_migration_2160_keeps_the_signatures_seen_before_it(db_url):
    db = Database(db_url)
    try:
        await upgrade(db, "2150")
        async with db.engine.begin() as conn:
            await conn.execute(text("INSERT INTO signature_seen (scheme, signature, body_sha256, expires_at) "
                                    "VALUES ('dingtalk.robot', 'sig', 'body-a', :at)"), {"at": NOW})
        await upgrade(db)
        assert await signatures.claim(db, "dingtalk.robot", "sig", "body-a", NOW, NOW, 8) == Claim(0, True)
        assert await signatures.claim(db, "dingtalk.robot", "sig", "body-b", NOW, NOW, 8) == Claim(1, False)
    finally:
        await db.close()


async def test_the_archive_prunes_by_age_rows_and_bytes(migrated_db):
    for i in range(5):
        await archive.archive(migrated_db, "/x", 401, "r", "", b"z" * 100, NOW - timedelta(days=40 if i == 0 else 0),
                              source="10.0.0.1", keep=64)
    assert await archive.prune(migrated_db, NOW, archive.Limits(max_rows=3, max_bytes=10**6)) == 2
    assert await archive.prune(migrated_db, NOW, archive.Limits(max_rows=3, max_bytes=130)) == 1
    assert await archive.totals(migrated_db) == (2, 128)


async def test_migrations_1910_and_2160_match_the_models(migrated_db):
    assert await schema_drift(migrated_db, TABLES) == []
