"""The script library cache: read once per change made here, a change by another process seen only after the TTL;
and the same table watch behind the member cache."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from storage.models import Member, Script
from storage.repos import members, script_cache, scripts
from storage.repos._sql import table_of
from storage.repos.member_cache import MemberCache

AT = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def _row(key: str, title: str) -> dict:
    return {"key": key, "title": title, "text": "…", "stage": "需求确认", "industry": "医疗"}


async def _titles(db) -> list[str]:
    async with db.session() as s:
        return [r.title for r in await script_cache.candidates(s, "需求确认", "医疗")]


async def test_candidates_are_read_once_per_change_made_here(migrated_db):
    async with migrated_db.session() as s:
        await scripts.upsert(s, [_row("a", "先问预算")], "pack", AT)
    assert await _titles(migrated_db) == ["先问预算"]
    async with migrated_db.engine.begin() as conn:  # like another process: no session of ours sees it
        await conn.execute(update(table_of(Script)).values(title="改过的标题"))
    assert await _titles(migrated_db) == ["先问预算"]  # cached (another process's change shows after the TTL)
    async with migrated_db.session() as s:  # a pack imported here drops the cache at once
        await scripts.upsert(s, [_row("b", "再问决策人")], "pack", AT)
    assert await _titles(migrated_db) == ["改过的标题", "再问决策人"]


async def test_a_member_renamed_here_is_not_served_from_the_cache(migrated_db):
    async with migrated_db.session() as s:
        await members.upsert(s, "欧阳锋", {"role": "rep"}, "华东", {"feishu": "ou_1"})
    cache = MemberCache()
    async with migrated_db.session() as s:
        assert (await cache.get(s, "feishu", "ou_1")).name == "欧阳锋"
    async with migrated_db.session() as s:
        await s.execute(update(Member).values(name="欧阳克"))  # an UPDATE statement through a session here
    async with migrated_db.session() as s:
        assert (await cache.get(s, "feishu", "ou_1")).name == "欧阳克"
