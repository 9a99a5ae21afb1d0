"""过程贡献值: points from customer updates and adopted scripts (read from others' rows), 话术 投稿 approved into
the library, 竞品 tags once, the leaderboard, and redemptions a manager approves."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import (
    CompetitorTag,
    Customer,
    CustomerEvent,
    Opportunity,
    PointsEntry,
    Redemption,
    Script,
    ScriptUse,
)
from storage.repos import members
from tests.handlers.opp_helpers import Chat, button
from tests.helpers import add_member, sent_cards


async def _org(rt):
    boss = await add_member(rt, "周主管", role="manager")
    rep, peer = await add_member(rt, "李娜"), await add_member(rt, "王强")
    async with rt.db.session() as s:
        for name in ("李娜", "王强"):
            await members.set_manager(s, name, "周主管")
        c = Customer(name="华东医疗", normalized_name="华东医疗", owner_id=rep)
        s.add(c)
        await s.flush()
        s.add_all([CustomerEvent(customer_id=c.id, kind="updated", member_id=rep, detail={"fields": ["industry"]},
                                 at=rt.clock.now()) for _ in range(3)])
        s.add(Opportunity(customer_id=c.id, owner_id=peer, stage="needs"))
    return boss, rep, peer


async def _ledger(rt, member_id: int) -> list[tuple[str, int]]:
    async with rt.db.session() as s:
        rows = (await s.execute(select(PointsEntry).where(PointsEntry.member_id == member_id)
                                .order_by(PointsEntry.id))).scalars().all()
    return [(r.kind, r.points) for r in rows]


async def test_points_ledger_submission_competitor_and_redemption(client, rt):
    rt.settings.scorecard.items = [{"name": "带薪半天假", "points": 20}, {"name": "咖啡券", "points": 5}]
    boss, rep, peer = await _org(rt)
    me, mgr = Chat(client, rt, f"dm:{rep}"), Chat(client, rt, f"dm:{boss}")
    [card] = await me.say(rep, "积分")
    assert dict(card["sections"][0]["fields"])["可用积分"] == "6"  # three customer updates × 2
    [again] = await me.say(rep, "积分")
    assert await _ledger(rt, rep) == [("customer_update", 2)] * 3 and again["title"] == "过程贡献值"

    [tag] = await me.say(rep, "竞品 华东医疗 某某CRM")
    [twice] = await me.say(rep, "竞品 华东医疗 某某CRM")
    [unknown] = await me.say(rep, "竞品 不存在的公司 某某CRM")
    assert tag["title"] == "竞品已标记" and twice["title"] == "已经标记过" and unknown["title"] == "没找到这个客户"
    async with rt.db.session() as s:
        assert len((await s.execute(select(CompetitorTag))).scalars().all()) == 1

    [short] = await me.say(rep, "话术 投稿 太短")
    [sub] = await me.say(rep, "话术 投稿 价格异议：我们按效果付费，第一个月不满意全额退款")
    assert short["title"] == "话术写完整一点" and sub["title"] == "投稿已提交"
    review = [c["card"] for c in await sent_cards(rt, f"dm:{boss}")][-1]
    assert review["title"].startswith("话术投稿 #1：价格异议")
    mgr.seen = 1
    [ok] = await mgr.click(boss, button(review, "收入话术库"))
    [stale] = await mgr.say(boss, "通过投稿 1")
    assert ok["title"] == "投稿 #1 已收入话术库" and stale["title"] == "找不到这条投稿"
    async with rt.db.session() as s:
        script = (await s.execute(select(Script).where(Script.key == "submission-1"))).scalar_one()
        opp = (await s.execute(select(Opportunity))).scalar_one()
        s.add(ScriptUse(kind="used", script_id=script.id, opportunity_id=opp.id, member_id=peer, day="2026-11-27",
                        at=rt.clock.now()))
    me.seen = len(await sent_cards(rt, f"dm:{rep}"))
    [card] = await me.say(rep, "积分")
    kinds = [k for k, _ in await _ledger(rt, rep)]
    assert kinds.count("script_approved") == 1 and kinds.count("script_adopted") == 1 and "competitor_tag" in kinds
    assert dict(card["sections"][0]["fields"])["可用积分"] == str(6 + 3 + 10 + 5)
    assert card["sections"][2]["items"][0] == "1. 李娜：24 分"

    [req] = await me.say(rep, "兑换 带薪半天假")
    assert req["title"] == "兑换申请已提交"
    [short_of] = await me.say(rep, "兑换 带薪半天假")  # 24 − 20 held = 4 left
    assert short_of["title"] == "积分还不够"
    ask = [c["card"] for c in await sent_cards(rt, f"dm:{boss}")][-1]
    assert ask["title"] == "积分兑换 #1：李娜"
    [refused] = await Chat(client, rt, f"dm:{peer}").click(peer, button(ask, "批准"))
    assert refused["title"] == "这个操作做不了"
    mgr.seen = len(await sent_cards(rt, f"dm:{boss}"))
    [done] = await mgr.click(boss, button(ask, "批准"))
    assert done["title"] == "已批准"
    assert (await _ledger(rt, rep))[-1] == ("redeem", -20)
    async with rt.db.session() as s:
        assert (await s.get(Redemption, 1)).status == "approved"
    [twice] = await mgr.say(boss, "批准兑换 1")
    assert twice["title"] == "找不到这笔兑换" and (await _ledger(rt, rep)).count(("redeem", -20)) == 1
