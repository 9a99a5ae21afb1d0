"""`ranking` keeps only the lines that can rank, and ranking them gives exactly what ranking every candidate gives."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import insert

from bench import pushes as org
from sales import mustdo
from sales.stages import DEFAULT
from storage.models import Member, PushItem, Task
from storage.repos import candidates
from storage.repos._sql import table_of

NOW = org.NOW
DAY = "2026-11-27"
REPS = range(4, 12)  # bench.pushes: managers 1..3, reps 4..11
LONE = 100


async def _tricky(s) -> None:
    """Ties on one deadline, many lines about one subject, odd refs, and the first lines of reps snoozed or done."""
    due = (NOW - timedelta(hours=5)).replace(tzinfo=None)
    refs = ["opportunity:7", "opportunity:7", "opportunity", "lead:3", "lead", "customer:5", "nothing:1", "", "lead:",
            "opportunity:7:x", "customer:5"]
    rows = [{"kind": "attack_action" if i % 4 == 0 else "follow_up", "title": f"tie {i}", "owner_id": 4, "due_at": due,
             "done_at": None, "ref": ref, "created_at": due} for i, ref in enumerate(refs * 2)]
    # A rep with attack actions only: the earliest four are about one deal, so the next two subjects must stay.
    await s.execute(insert(table_of(Member)), [{
        "id": LONE, "name": "lone", "role": "rep", "team_id": 1, "manager_id": 1, "region": "", "industries": [],
        "capacity": 50, "mobile": "", "is_new": False, "active": True, "work_start": "09:00", "work_end": "18:00",
        "on_leave": False, "created_at": due}])
    rows += [{"kind": "attack_action", "title": f"lone {i}", "owner_id": LONE, "due_at": due + timedelta(minutes=i),
              "done_at": None, "ref": "opportunity:99" if i < 4 else f"opportunity:{i}", "created_at": due}
             for i in range(8)]
    await s.execute(insert(table_of(Task)), rows)
    full = mustdo.rank(await candidates.candidates(s, NOW, DEFAULT), NOW)
    skip = [{"member_id": m, "day": DAY, "key": it.key, "kind": it.kind, "text": "", "rank": n, "reason": "",
             "done_at": NOW if n % 2 else None, "snoozed_until": None if n % 2 else NOW + timedelta(days=1)}
            for m, items in full.items() if m % 2 for n, it in enumerate(items[:2], 1)]
    await s.execute(insert(table_of(PushItem)), skip)


async def test_ranking_the_lines_kept_equals_ranking_every_candidate(migrated_db):
    await org.fill(migrated_db, 3, 8, 3000, 900)
    async with migrated_db.session() as s:
        await _tricky(s)
    async with migrated_db.sessions() as s:
        every = await candidates.candidates(s, NOW, DEFAULT)
        skip = await candidates.suppressed(s, NOW, DAY)
        kept = await candidates.ranking(s, NOW, DAY, DEFAULT)
        one = await candidates.ranking(s, NOW, DAY, DEFAULT, [4])
    assert skip and len(kept) < len(every) / 3
    expected = mustdo.rank(every, NOW, skip)
    assert mustdo.rank(kept, NOW) == expected
    assert mustdo.rank(one, NOW) == {4: expected[4]}
    assert set(expected) <= {*REPS, LONE} and len(expected) > 2
    assert [it.text.split("（")[0] for it in expected[LONE]] == ["lone 0", "lone 4", "lone 5"]


async def test_lines_carry_the_stored_deadlines_as_utc(migrated_db):
    await org.fill(migrated_db, 1, 2, 300, 90)
    async with migrated_db.sessions() as s:
        found = await candidates.candidates(s, NOW.astimezone(UTC), DEFAULT)
    assert found and all(c.due_at.tzinfo is UTC for c in found)
    never = [c for c in found if c.kind == "cadence" and c.due_at == NOW]
    assert all(c.due_at == NOW for c in never)
