"""The objects the newer card actions point at, made through the repositories for the security matrix's scene.

The owner (a rep) has a customer without a deal (its lead, grade, activation plan and three re-grade
proposals hang on it), a script submission and a redemption waiting for a manager; the other team has a
proposal of its own in the same quarter (its manager approves all of theirs, never ours); the pool holds one
customer; every role has a follow-up draft of their own (a draft is only ever its writer's to pick).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bot.core.vocab import Grade, InteractionKind
from storage.models import Customer, GradeProposal, Task
from storage.repos import contributions
from storage.repos import followups as drafts


@dataclasses.dataclass
class Objects:
    """Ids of the owner's customer, the pooled customer, the plan item, proposals, drafts, submission, redemption."""

    customer: int
    pooled: int
    task: int
    proposals: list[int]  # approved one by one, rejected, approved with the rest of its quarter
    quarter: str
    drafts: dict[int, int]  # member id -> that member's follow-up draft
    submission: int
    redemption: int


async def make(rt, people: dict[str, int], now: datetime) -> Objects:
    """Create the objects in one session and return their ids."""
    owner = people["owner"]
    async with rt.db.session() as s:
        mine = Customer(name="云帆物流", normalized_name="云帆物流", owner_id=owner, grade=Grade.STEADY.value,
                        created_at=now, owned_since=now)
        pooled = Customer(name="北辰制造", normalized_name="北辰制造", in_pool=True, pool_since=now, created_at=now)
        theirs = Customer(name="南岭贸易", normalized_name="南岭贸易", owner_id=people["other_manager"],
                          grade=Grade.STEADY.value, created_at=now, owned_since=now)
        s.add_all([mine, pooled, theirs])
        await s.flush()
        task = Task(kind="activation", title="唤醒：电话回访", owner_id=owner, ref=f"customer:{mine.id}",
                    due_at=now, created_at=now)
        quarters = ["2026Q1", "2026Q2", "2026Q3"]
        proposals = [GradeProposal(quarter=q, customer_id=mine.id, owner_id=owner, from_grade=Grade.STEADY.value,
                                   to_grade=Grade.DORMANT.value, reason="活跃度下降", created_at=now) for q in quarters]
        elsewhere = GradeProposal(quarter=quarters[-1], customer_id=theirs.id, owner_id=people["other_manager"],
                                  from_grade=Grade.STEADY.value, to_grade=Grade.DORMANT.value, created_at=now)
        s.add_all([task, *proposals, elsewhere])
        await s.flush()
        kind = InteractionKind.FOLLOW_UP.value
        notes = {m: await drafts.add_draft(s, m, kind, "电话沟通了预算", "", now) for m in people.values()}
        submission = await contributions.submit(s, owner, "预算异议话术", "先问清预算周期，再谈分期。", now)
        redemption = await contributions.request_redemption(s, owner, "咖啡券", 10, now)
        return Objects(mine.id, pooled.id, task.id, [p.id for p in proposals], quarters[-1], notes, submission,
                       redemption)
