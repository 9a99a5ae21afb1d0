"""People change: members CSV is_new / active / leave, `salesbot handover`, deactivated members' open items."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.core.errors import UserError
from bot.core.vocab import CustomerEventKind
from flows import handover
from sales import lead_rules
from sales.stages import pipeline_from_config
from storage.db import Database
from storage.models import Customer, CustomerEvent, Lead, LeadEvent, Member, Opportunity, Task
from storage.repos import breakpoints, members
from tests.handlers.lead_helpers import new_lead
from tests.helpers import add_member, sent_cards

HEADER = ("name,role,team,manager,region,industries,capacity,mobile,wecom_userid,dingtalk_userid,feishu_open_id,"
          "is_new,active,leave")


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    for name in list(os.environ):
        if name.startswith("SALESBOT__"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "salesbot.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/x.db"\n', "utf-8")
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    return path


def test_members_csv_optional_columns_are_set_and_checked(config, tmp_path, capsys):
    rows = ["王经理,manager,华东,,,,,,,,,,1,",
            "新人,rep,华东,王经理,,,,,,,,1,,2026-12-01..2026-12-07",
            "老人,rep,华东,王经理,,,,,,,,0,0,", "坏1,rep,华东,,,,,,,,,yes,,",
            "坏2,rep,华东,,,,,,,,,,,2026-12-07..2026-12-01"]
    path = tmp_path / "m.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "import", "members", str(path)]) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created 3, updated 0, rejected 2"
    assert out[1] == "  line 5: is_new 'yes' must be 1 or 0"
    assert out[2].startswith("  line 6: leave '2026-12-07..2026-12-01' must be YYYY-MM-DD..YYYY-MM-DD")
    saved = asyncio.run(_read(tmp_path))
    assert saved["新人"] == (True, True, "2026-12-01", "2026-12-07")
    assert saved["老人"] == (False, False, "", "")


async def _read(tmp_path: Path) -> dict[str, tuple]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    try:
        async with db.session() as s:
            return {m.name: (m.is_new, m.active, m.leave_from, m.leave_until) for m in await members.all_members(s)}
    finally:
        await db.close()


def test_a_rep_on_leave_gets_no_new_leads_in_the_span():
    rep = lead_rules.Rep(1, "新人", leave=("2026-12-01", "2026-12-07"))
    policy = lead_rules.Policy(skip_outside_hours=False)
    assert lead_rules.why_not(rep, datetime(2026, 12, 3, 10), policy) == "on leave"
    assert lead_rules.why_not(rep, datetime(2026, 12, 8, 10), policy) is None


async def _book(rt) -> tuple[int, int, int]:
    boss = await add_member(rt, "主管老周", role="manager")
    leaver, taker = await add_member(rt, "李娜"), await add_member(rt, "王强")
    async with rt.db.session() as s:
        for name in ("李娜", "王强"):
            await members.set_manager(s, name, "主管老周")
        (await s.get(Member, taker)).capacity = 0  # so both leads go to the leaver
    await new_lead(rt, "13800138001", "华东医疗")
    await new_lead(rt, "13800138002", "华北物流")
    async with rt.db.session() as s:
        (await s.get(Member, taker)).capacity = 50
        customer = (await s.execute(select(Customer).where(Customer.name == "华东医疗"))).scalar_one()
        s.add(Opportunity(customer_id=customer.id, owner_id=leaver, status="open", created_at=rt.clock.now()))
        s.add(Task(kind="next_contact", title="约定联系", owner_id=leaver, due_at=rt.clock.now()))
    return boss, leaver, taker


async def test_handover_moves_the_open_book_records_it_and_tells_everyone(rt):
    boss, leaver, taker = await _book(rt)
    async with rt.db.session() as s:
        dry = await handover.handover(await rt.context(s), "李娜", "王强", dry_run=True)
    assert dry.line() == "handover 李娜 -> 王强: would move leads 2, opportunities 1, customers 2, tasks 1"
    async with rt.db.session() as s:
        assert {x.owner_id for x in (await s.execute(select(Lead))).scalars()} == {leaver}
        done = await handover.handover(await rt.context(s), "李娜", "王强", dry_run=False)
    assert done.line().startswith("handover 李娜 -> 王强: moved leads 2")
    async with rt.db.session() as s:
        for model in (Lead, Opportunity, Customer, Task):
            assert {x.owner_id for x in (await s.execute(select(model))).scalars()} == {taker}
        kinds = [e.kind for e in (await s.execute(select(LeadEvent))).scalars()]
        cust = [(e.kind, e.owner_from, e.owner_to) for e in (await s.execute(select(CustomerEvent))).scalars()]
    assert kinds.count("handover") == 2
    assert cust == [(CustomerEventKind.HANDOVER, leaver, taker)] * 2
    for member in (boss, leaver, taker):
        assert (await sent_cards(rt, f"dm:{member}"))[-1]["card"]["title"] == "工作交接：李娜 → 王强"


async def test_handover_to_an_inactive_member_is_refused(rt):
    await _book(rt)
    async with rt.db.session() as s:
        (await members.by_name(s, "王强")).active = False
    async with rt.db.session() as s:
        with pytest.raises(UserError, match="已停用"):
            await handover.handover(await rt.context(s), "李娜", "王强", dry_run=False)
        with pytest.raises(UserError, match="unknown member"):
            await handover.handover(await rt.context(s), "李娜", "没这人", dry_run=True)


def test_handover_command_prints_counts(config, capsys):
    capsys.readouterr()
    assert main(["--config", str(config), "handover", "甲", "乙", "--dry-run"]) == 2
    assert "unknown member" in capsys.readouterr().err


async def test_a_deactivated_members_open_items_show_in_breakpoints(rt):
    _, leaver, _ = await _book(rt)
    async with rt.db.session() as s:
        (await s.get(Member, leaver)).active = False
    async with rt.db.session() as s:
        items = await breakpoints.stuck(s, rt.clock.now() + timedelta(hours=1), pipeline_from_config([]))
    mine = [x for x in items if x.owner_id == leaver]
    assert len(mine) == 3 and all("交接" in x.step for x in mine)
