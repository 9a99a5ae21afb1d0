"""WeCom response codes in card_ref on SQLite and PostgreSQL: newest code wins, each is spent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.repos import wecom_cards

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


async def test_a_code_is_claimed_once_and_not_rearmed(migrated_db):
    await wecom_cards.remember(migrated_db, "sb_1", "send-code", NOW + timedelta(hours=72), "msg1")
    await wecom_cards.remember(migrated_db, "sb_1", "click-code", NOW + timedelta(hours=73))
    await wecom_cards.remember(migrated_db, "sb_1", "older-code", NOW + timedelta(hours=1))  # older: ignored
    assert await wecom_cards.claim(migrated_db, "sb_1", NOW) == "click-code"
    assert await wecom_cards.claim(migrated_db, "sb_1", NOW) is None
    await wecom_cards.remember(migrated_db, "sb_1", "click-code", NOW + timedelta(hours=73))  # a retry re-saving it
    assert await wecom_cards.claim(migrated_db, "sb_1", NOW) is None


async def test_an_expired_code_is_not_claimed(migrated_db):
    await wecom_cards.remember(migrated_db, "sb_2", "code", NOW + timedelta(hours=72))
    assert await wecom_cards.claim(migrated_db, "sb_2", NOW + timedelta(hours=73)) is None
    assert await wecom_cards.claim(migrated_db, "unknown", NOW) is None
