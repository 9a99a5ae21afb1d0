"""Every card action × every role, clicked through the real path (playground → inbox → dispatcher →
handler), compared with the permission matrix (sales/opportunity_access.py, handlers' role lists).

Per role a fresh scenario: the owner (a rep) has a deal with a pending quote approval, an assigned lead
and an attack card, plus the objects of bench/security_objects.py (grade proposals, an activation item, a
pooled customer, follow-up drafts, a script submission, a redemption). Then that role clicks every action,
safe ones first and closing last. A refusal is the "这个操作做不了" card naming who may ("只有…"); an
answer that the object is missing or already done proves neither (None); anything else counts as allowed.
The sender's per-chat caps count on the business clock, so clicks at a human pace never queue.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bench import harness, security_objects
from bench.security_objects import Objects
from bot.core.packing import Action
from handlers.attack_common import default_playbook
from storage.models import Approval, AttackAction, AttackCard, Lead, Opportunity, Order
from storage.repos import members, outbox

ROLES = ("owner", "peer", "manager", "other_manager", "admin")
RULES = {  # who may, by rule (sales/opportunity_access.py and the @router.action role lists)
    "anyone": set(ROLES),
    "change": {"owner", "manager", "admin"},  # may_change: the owner, the owner's manager, an admin
    "lead": {"owner", "manager", "admin"},  # handlers/leads.py may_act
    "approve": {"manager", "admin"},  # may_approve: the owner's manager or an admin
    "managers": {"manager", "other_manager", "admin"},  # roles=("manager", "admin")
    "customer": {"owner", "manager", "admin"},  # flows/lead_targets.may_act on the customer's owner
    "team": {"manager", "admin"},  # a manager of the rep's team (their proposals, 1:1s, submissions, redemptions)
    "own": {"owner"},  # the owner's own checklist (the activation plan)
    "grade": {"owner", "manager", "other_manager", "admin"},  # a customer's grade: its owner, managers, admins
}
EXPECT = {  # action prefix -> rule; in click order (closing last). Views and one's own push items: anyone.
    "help": "anyone", "opp.show": "anyone", "opp.scripts": "anyone", "opp.evidence": "anyone",
    "lead.show": "lead", "push.today": "anyone", "push.done": "anyone", "push.snooze": "anyone",
    "push.reason": "anyone", "push.submit": "anyone", "push.nudge": "managers", "atk.show": "anyone",
    "grade.show": "grade", "grade.review": "managers", "lead.log": "lead", "fu.pick": "customer", "grade.act": "own",
    "grade.ok": "team", "grade.no": "team", "grade.ok.all": "managers", "sc.coach": "team", "sc.sub": "team",
    "sc.redeem": "team", "pool.claim": "anyone", "opp.create": "change", "entry.lead": "anyone",
    "entry.cust": "customer",
    "atk.start": "change", "atk.strategy": "change", "atk.tick": "change", "opp.script.use": "change",
    "lead.accept": "lead", "lead.lost": "lead", "opp.approval": "approve", "opp.advance": "change",
    "opp.close.ask": "change", "opp.close": "change",
}
EXPECT["order.accept"] = "change"  # 客户已验收 on a won deal: the owner, the owner's manager, an admin
MISSED = ("没找到", "找不到", "已经处理过", "已经审核过", "已经记过", "没有可处理", "领取不了")
CHAT = "group:1"
_ids = itertools.count(1)


@dataclasses.dataclass
class Scene:
    """The ids an action may point at."""

    people: dict[str, int]
    opp: int = 0
    lead: int = 0
    approval: int = 0
    card: int = 0
    action: int = 0
    scenario: str = ""
    strategy: str = ""
    day: str = ""
    objs: Objects | None = None
    clicker: int = 0  # who clicks: their own follow-up draft is the one picked


async def _say(client: TestClient, rt, who: int, text: str) -> None:
    await client.post("/playground/api/message", json={"member_id": who, "chat_id": CHAT, "skin": "wecom",
                                                        "text": f"@销售助手 {text}", "client_id": f"m{next(_ids)}"})
    await _sent(rt)  # handled in order, like a person waiting for each answer


async def click(client: TestClient, rt, who: int, packed: str) -> list[dict]:
    """Click a button value as `who`; return the cards answered."""
    before = await _sent(rt)
    rt.clock.advance(timedelta(seconds=61))  # a person clicks at human pace; the per-chat send limit holds
    await client.post("/playground/api/click", json={"member_id": who, "chat_id": CHAT, "skin": "wecom",
                                                      "value": packed, "client_id": f"c{next(_ids)}"})
    return (await _sent(rt))[len(before):]


async def _sent(rt) -> list[dict]:
    await rt.dispatcher.drain()
    while await rt.sender.run_once():
        pass
    rows = await outbox.recent(rt.db, "playground", target=CHAT, status="sent", limit=1000)
    return [r.payload.get("card") or {} for r in rows]


def refused(cards: list[dict]) -> bool:
    """A permission refusal: the refusal card that names who may do it."""
    return any(c.get("title") == "这个操作做不了" and "只有" in json.dumps(c, ensure_ascii=False) for c in cards)


def verdict(cards: list[dict]) -> bool | None:
    """True allowed, False refused, None: the click hit nothing (not found, already done) and proves neither."""
    if refused(cards):
        return False
    return None if any(m in str(c.get("title", "")) for c in cards for m in MISSED) else True


async def _people(rt) -> dict[str, int]:
    spec = {"owner": ("林峰", "rep", "华东大客户部"), "peer": ("何洁", "rep", "华东大客户部"),
            "manager": ("韩总", "manager", "华东大客户部"), "other_manager": ("马总", "manager", "华南大客户部"),
            "admin": ("管理员", "admin", "华东大客户部")}
    out = {}
    async with rt.db.session() as s:
        for role, (name, kind, team) in spec.items():
            await members.upsert(s, name, {"role": kind}, team, {})
            out[role] = (await members.by_name(s, name)).id
    return out


async def scene(client: TestClient, rt) -> Scene:
    """The owner's deal (with a pending quote approval), lead and attack card."""
    sc = Scene(await _people(rt))
    owner = sc.people["owner"]
    for text in ("新建商机 星海零售", "凭证 会议纪要 https://docs.example.com/minutes", "推进", "凭证 演示视频或链接 https://v.example.com",
                 "报价 30万 折扣 30%", "推进"):
        await _say(client, rt, owner, text)
    book = default_playbook()
    sc.scenario, sc.strategy = book.scenarios[0].key, book.scenarios[0].strategies[0].key
    now = rt.clock.now()
    sc.day = (now + timedelta(hours=8)).date().isoformat()
    sc.objs = await security_objects.make(rt, sc.people, now)
    async with rt.db.session() as s:
        sc.opp = (await s.execute(select(Opportunity.id))).scalar_one()
        deal = await s.get(Opportunity, sc.opp)  # an earlier order of its customer waits for 客户已验收
        s.add(Order(customer_id=deal.customer_id, owner_id=owner, amount=300_000, ordered_at=now, created_at=now))
        sc.approval = (await s.execute(select(Approval.id))).scalar_one()
        lead = Lead(channel="web", owner_id=owner, status="assigned", received_at=now, assigned_at=now,
                    contact_name="陈", mobile="13800000000", customer_id=sc.objs.customer)
        s.add(lead)
        await s.flush()
        sc.lead = lead.id
    await click(client, rt, owner, f"atk.strategy|{sc.opp}|{sc.scenario}|{sc.strategy}")
    async with rt.db.session() as s:
        sc.card = (await s.execute(select(AttackCard.id))).scalar_one()
        sc.action = (await s.execute(select(AttackAction.id).order_by(AttackAction.position))).scalars().first()
    return sc


def instance(cls: type[Action], sc: Scene) -> Action:
    """The action pointed at the owner's objects (fields filled by name)."""
    by_name: dict[str, Any] = {"opportunity_id": sc.opp, "lead_id": sc.lead, "approval_id": sc.approval,
                               "card_id": sc.card, "action_id": sc.action, "script_id": 1, "outcome": "lost",
                               "reason": "价格太高", "key": f"opp:{sc.opp}", "day": sc.day, "scenario": sc.scenario,
                               "strategy": sc.strategy, "approve": True, "remark": "", "topic": "",
                               **_objects(sc), **PER_ACTION.get(cls.prefix, lambda o: {})(sc.objs)}
    values = {f.name: by_name.get(f.name, 1 if f.type in ("int", int) else "x") for f in dataclasses.fields(cls)}
    return cls(**values)


PER_ACTION = {  # fields of one action that differ from the shared ones
    "grade.no": lambda o: {"proposal_id": o.proposals[1]}, "pool.claim": lambda o: {"ref": f"customer:{o.pooled}"},
    "lead.lost": lambda o: {"reason": "没有需求"}, "sc.redeem": lambda o: {"approve": False}}


def _objects(sc: Scene) -> dict[str, Any]:
    o = sc.objs
    return {"customer_id": o.customer, "task_id": o.task, "proposal_id": o.proposals[0], "quarter": o.quarter,
            "draft_id": o.drafts.get(sc.clicker, 0), "ref": f"customer:{o.customer}", "member_id": sc.people["owner"],
            "submission_id": o.submission, "redemption_id": o.redemption}


async def role_row(role: str) -> dict[str, bool]:
    """In a fresh company, click every declared action as `role`; return {prefix: allowed} (None: hit nothing)."""
    async with harness.served() as (rt, client):
        rt.sender.rate_clock = rt.clock  # the per-chat caps count at the clicks' human pace, not the wall clock
        sc = await scene(client, rt)
        sc.clicker = sc.people[role]
        registry = Action._registry
        out = {}
        for prefix in [p for p in EXPECT if p in registry]:
            cards = await click(client, rt, sc.people[role], instance(registry[prefix], sc).pack())
            out[prefix] = verdict(cards)
        return out


def undeclared() -> list[str]:
    """Actions of the app (not ones a test defines) that the matrix does not declare: every one must be."""
    mine = {p for p, cls in Action._registry.items() if not cls.__module__.startswith("tests.")}
    return sorted(mine - set(EXPECT))
