"""bench.route_floor does the work it claims a floor for: every event gets its customer, opportunity, touch, a
rendered Feishu reply queued and its inbox row done — else its figure would be a floor under less than handling."""

from __future__ import annotations

from sqlalchemy import func, select

from bench import route_floor
from storage.db import Database
from storage.models import Customer, InboxEvent, Interaction, Opportunity, OutboxMessage


async def test_the_floor_writes_what_handling_new_opportunities_writes(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/floor.db"
    figures = await route_floor.measure(url, events=120)
    assert figures["events"] == 120 and figures["db_us"] > 0 and figures["render_us"] > 0
    db = Database(url)
    async with db.session() as s:
        counts = [await s.scalar(select(func.count()).select_from(m)) for m in (Customer, Opportunity, Interaction)]
        done = await s.scalar(select(func.count()).where(InboxEvent.status == "done"))
        payloads = (await s.execute(select(OutboxMessage.payload))).scalars().all()
    await db.close()
    assert counts == [120, 120, 120] and done == 120 and len(payloads) == 120
    assert all(p["msg_type"] == "interactive" and "新商机" in str(p["card"]) for p in payloads)
