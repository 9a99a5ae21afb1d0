"""A small company with one team's trouble planted, shared by the report page tests."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.report_seed import Seed, days_ago


@dataclass
class World:
    """Ids of the seeded people and records."""

    admin: int
    mgr_a: int
    mgr_b: int
    mgr_empty: int
    li: int
    wang: int
    zhao: int
    stalled_customer: int
    secret_customer: int
    team_a: int


def path_of(url: str) -> str:
    """The path and query of an absolute link (the test client wants them relative)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
async def world(rt) -> World:
    """Team 华东一部 (李娜 in 华东, 王强 in 华北) has a stalled deal, a breached lead and a dormant customer;
    team 华北二部 (赵六) has a churned customer nobody else may see; 空团队 has a manager and nobody else."""
    now, seed = rt.clock.now(), Seed(rt)
    t1, t2, t3 = await seed.team("华东一部"), await seed.team("华北二部"), await seed.team("空团队")
    admin = await seed.member("管理员", None, role="admin")
    mgr_a, mgr_b = await seed.member("韩总", t1, role="manager"), await seed.member("周总", t2, role="manager")
    mgr_empty = await seed.member("吴总", t3, role="manager")
    li, wang = await seed.member("李娜", t1, region="华东"), await seed.member("王强", t1, region="华北")
    zhao = await seed.member("赵六", t2, region="华北")
    stalled = await seed.customer(li, "医疗", name="华东医疗", created=days_ago(now, 60))
    await seed.touch(stalled, li, days_ago(now, 2))
    await seed.deal(li, stalled, "demo", days_ago(now, 25))
    await seed.lead(li, stalled, days_ago(now, 3))
    quiet = await seed.customer(li, "制造业", name="沉睡机械", created=days_ago(now, 90))
    await seed.lead(wang, quiet, days_ago(now, 2), status="breached", breached_at=days_ago(now, 1.5))
    secret = await seed.customer(zhao, "零售", name="秘密零售", created=days_ago(now, 90))
    await seed.touch(secret, zhao, days_ago(now, 1))
    await seed.event(secret, "contact_deleted", days_ago(now, 3), owner_from=zhao)
    return World(admin, mgr_a, mgr_b, mgr_empty, li, wang, zhao, stalled, secret, t1)
