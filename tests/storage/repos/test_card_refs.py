"""Cards updated by name (card_ref) on SQLite and PostgreSQL: the newest message id wins, per platform."""

from __future__ import annotations

from storage.repos import card_refs


async def test_a_card_ref_keeps_the_newest_message_id_per_platform(migrated_db):
    assert await card_refs.message_of(migrated_db, "feishu", "sla_breach:20261127:1") == ""
    await card_refs.remember(migrated_db, "feishu", "sla_breach:20261127:1", "om_1")
    await card_refs.remember(migrated_db, "dingtalk", "sla_breach:20261127:1", "sbtrack.abc")
    assert await card_refs.message_of(migrated_db, "feishu", "sla_breach:20261127:1") == "om_1"
    await card_refs.remember(migrated_db, "feishu", "sla_breach:20261127:1", "om_2")  # sent again as a new card
    assert await card_refs.message_of(migrated_db, "feishu", "sla_breach:20261127:1") == "om_2"
    assert await card_refs.message_of(migrated_db, "dingtalk", "sla_breach:20261127:1") == "sbtrack.abc"
