"""Job claims: once per fire, re-runnable after a failure or a crash."""

from __future__ import annotations

from datetime import timedelta

from storage.repos import jobs


async def test_a_fire_is_claimed_once(migrated_db, clock):
    assert await jobs.claim(migrated_db, "must_do", "2026-11-27T09:00", clock.now())
    assert not await jobs.claim(migrated_db, "must_do", "2026-11-27T09:00", clock.now())
    assert await jobs.claim(migrated_db, "must_do", "2026-11-28T09:00", clock.now())


async def test_a_failed_fire_can_run_again_but_a_done_one_cannot(migrated_db, clock):
    await jobs.claim(migrated_db, "sla_scan", "k", clock.now())
    await jobs.finish(migrated_db, "sla_scan", "k", clock.now(), error="boom")
    assert await jobs.claim(migrated_db, "sla_scan", "k", clock.now())
    await jobs.finish(migrated_db, "sla_scan", "k", clock.now())
    assert not await jobs.claim(migrated_db, "sla_scan", "k", clock.now())


async def test_a_claim_left_by_a_crash_expires(migrated_db, clock):
    await jobs.claim(migrated_db, "daily_report", "k", clock.now())
    clock.advance(timedelta(minutes=30))
    assert not await jobs.claim(migrated_db, "daily_report", "k", clock.now())
    clock.advance(timedelta(hours=1))
    assert await jobs.claim(migrated_db, "daily_report", "k", clock.now())
