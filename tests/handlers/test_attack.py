"""Attack task cards through the playground: 攻坚 → strategy → checklist ticks, offers on objections, new reps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storage.models import AttackAction, AttackCard, Member, Opportunity, Task
from tests.handlers.opp_helpers import Chat, button, fields, section
from tests.helpers import add_member, sent_cards

ROI = "算清账：让财务看到回报"
NOT_YOURS = "这不是你的商机"


async def _rows(rt, model):
    async with rt.db.session() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def _last_toast(rt) -> str:
    return (await sent_cards(rt))[-1].get("toast", "")


def _labels(card: dict) -> list[str]:
    return [b["label"] for b in card["buttons"]]


async def _deal(client, rt, who: str = "李娜") -> tuple[Chat, int]:
    rep = await add_member(rt, who)
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 华东医疗 预算 30万")
    return chat, rep


async def test_budget_card_from_command_to_done(client, rt):
    chat, rep = await _deal(client, rt)
    (choice,) = await chat.say(rep, "攻坚 预算不足")
    assert choice["title"] == "客户说预算不足：华东医疗"
    assert _labels(choice) == [ROI, "拆分项目：先上核心模块", "抢下一笔预算"]
    steps = ["发送行业ROI测算模板", "预约财务负责人线上答疑", "提供分阶段付款方案"]
    assert section(choice, f"1. {ROI}")["items"] == steps

    (card,) = await chat.click(rep, button(choice, ROI))
    assert card["title"] == "攻坚开始：客户说预算不足：华东医疗" and card["subtitle"].startswith(f"策略：{ROI}")
    assert fields(card)["进度"] == "0/3" and fields(card)["负责人"] == "李娜"
    assert section(card, "下一步")["text"].startswith("发送行业ROI测算模板（")
    assert _labels(card) == ["完成：发送行业ROI测算模板", "刷新"] and card["buttons"][0]["style"] == "primary"
    first_click = button(card, "完成：发送行业ROI测算模板")

    (card,) = await chat.click(rep, first_click)  # one click completes the first action; the next one moves up
    assert fields(card)["进度"] == "1/3" and await _last_toast(rt) == "已完成，下一项在最上面"
    items = section(card, "清单")["items"]
    assert items[0].startswith("⬜ 2. 预约财务负责人线上答疑")
    assert items[-1].startswith("✅ 1. 发送行业ROI测算模板 — 李娜")
    assert _labels(card)[0] == "完成：预约财务负责人线上答疑"

    (again,) = await chat.click(rep, first_click)  # a stale card clicked twice ticks nothing new
    assert fields(again)["进度"] == "1/3" and await _last_toast(rt) == "这一项之前已经完成了"

    (card,) = await chat.say(rep, "攻坚完成 财务王总答疑纪要 https://docs.example.com/q")
    assert fields(card)["进度"] == "2/3"
    assert any("凭证：财务王总答疑纪要 https://docs.example.com/q" in i for i in section(card, "清单")["items"])
    (card,) = await chat.say(rep, "攻坚完成")
    assert card["title"] == "攻坚完成：客户说预算不足：华东医疗" and card["level"] == "success"
    assert _labels(card) == ["看商机"]
    tasks = await _rows(rt, Task)
    assert [t.kind for t in tasks] == ["attack_action"] * 3 and all(t.done_at for t in tasks)
    (card_row,) = await _rows(rt, AttackCard)
    assert card_row.status == "done" and [t.ref for t in tasks] == [f"attack:{card_row.id}:{a.id}"
                                                                   for a in await _rows(rt, AttackAction)]
    (choice,) = await chat.say(rep, "攻坚 预算")  # the finished card is history: a new one may start
    assert choice["title"] == "客户说预算不足：华东医疗"


async def test_scenario_picker_unknown_scenario_and_one_open_card_per_scenario(client, rt):
    chat, rep = await _deal(client, rt)
    (picker,) = await chat.say(rep, "攻坚")
    assert _labels(picker) == ["客户说预算不足", "竞品已介入", "决策链复杂", "客户迟迟不回复", "要求大幅降价"]
    (choice,) = await chat.click(rep, button(picker, "竞品已介入"))
    await chat.click(rep, button(choice, "用同行案例说话"))
    (again,) = await chat.click(rep, button(choice, "打差异：找到竞品做不到的点"))
    assert again["title"] == "进行中：竞品已介入：华东医疗" and "用同行案例说话" in again["subtitle"]
    assert len(await _rows(rt, AttackCard)) == 1
    (picker,) = await chat.say(rep, "attack")
    assert section(picker, "进行中的攻坚")["items"] == ["竞品已介入 · 用同行案例说话（0/3）"]
    (unknown,) = await chat.say(rep, "攻坚 天气")
    assert unknown["title"] == "没有这个攻坚场景" and len(unknown["buttons"]) == 5


ACTORS = {"owner": True, "peer": False, "manager": True, "other_manager": False, "admin": True}


@pytest.mark.parametrize("who", list(ACTORS))
async def test_only_owner_manager_and_admin_may_tick(client, rt, who):
    chat, owner = await _deal(client, rt, "林峰")
    people = {"owner": owner, "peer": await add_member(rt, "何洁"),
              "manager": await add_member(rt, "韩总", role="manager"),
              "other_manager": await add_member(rt, "南区马总", role="manager", team="华南大客户部"),
              "admin": await add_member(rt, "管理员", role="admin")}
    (choice,) = await chat.say(owner, "攻坚 决策链")
    (card,) = await chat.click(owner, button(choice, "画决策链"))
    (answer,) = await chat.click(people[who], card["buttons"][0]["value"])
    (by_command,) = await chat.say(people[who], "攻坚完成 2 决策链图")
    done = [t.done_at is not None for t in await _rows(rt, Task)]
    if ACTORS[who]:
        assert fields(answer)["进度"] == "1/3" and fields(by_command)["进度"] == "2/3" and done == [True, True, False]
    else:
        assert answer["title"] == by_command["title"] == "这个操作做不了"
        assert NOT_YOURS in answer["sections"][0]["text"] and done == [False, False, False]


async def test_an_objection_in_the_deal_chat_gets_an_offer_small_talk_gets_help(client, rt):
    chat, rep = await _deal(client, rt)
    (offer,) = await chat.say(rep, "客户说预算不够，下个月再说")
    assert offer["title"] == "客户说预算不足：华东医疗"
    assert "你提到“预算不够”" in offer["sections"][0]["text"] and _labels(offer)[0] == ROI
    (card,) = await chat.click(rep, button(offer, ROI))
    assert card["title"].startswith("攻坚开始：")
    (again,) = await chat.say(rep, "客户还是说钱不够")
    assert again["title"] == "进行中：客户说预算不足：华东医疗"
    (help_card,) = await chat.say(rep, "大家早上好")
    assert help_card["title"] == "我能帮你做这些"
    other = Chat(client, rt, "group:2")  # a group with no deal: no offer, just help
    (help_card,) = await other.say(rep, "要老板拍板")
    assert help_card["title"] == "我能帮你做这些"


async def test_a_followup_note_with_an_objection_is_recorded_then_offered(client, rt):
    chat, rep = await _deal(client, rt)
    ack, offer = await chat.say(rep, "跟进 王经理说同意了，但要老板拍板")
    assert ack["title"] == "已记下跟进：华东医疗" and offer["title"] == "决策链复杂：华东医疗"
    (plain,) = await chat.say(rep, "跟进 约了周三演示")
    assert plain["title"].startswith("已记下跟进：")


async def test_new_reps_get_the_standard_checklist_on_every_new_deal(client, rt):
    rookie = await add_member(rt, "新人小周")
    async with rt.db.session() as s:
        await s.execute(update(Member).where(Member.id == rookie).values(is_new=True))
    chat = Chat(client, rt)
    deal, checklist = await chat.say(rookie, "新建商机 星海零售")
    assert deal["title"] == "新商机：星海零售"
    assert checklist["title"] == "新人清单：新人首周标准跟进：星海零售" and fields(checklist)["进度"] == "0/5"
    assert _labels(checklist)[0] == "完成：24小时内电话联系客户确认需求"
    (same,) = await chat.say(rookie, "新建商机 星海零售")  # the existing deal: no second checklist
    assert same["title"] == "已有商机：星海零售" and len(await _rows(rt, Task)) == 5
    veteran = await add_member(rt, "老王")
    assert len(await Chat(client, rt, "group:3").say(veteran, "新建商机 宏达机械")) == 1


async def test_overdue_attack_actions_are_must_do_candidates(client, rt, clock):
    from sales.stages import pipeline_from_config
    from storage.repos import candidates

    chat, rep = await _deal(client, rt)
    (choice,) = await chat.say(rep, "攻坚 降价")
    (card,) = await chat.click(rep, button(choice, "先讲价值再谈价格"))
    clock.advance(timedelta(days=3))
    (card,) = await chat.click(rep, button(card, "刷新"))
    assert card["level"] == "warning" and "已超时" in section(card, "清单")["items"][0]
    async with rt.db.session() as s:
        found = await candidates.candidates(s, clock.now(), pipeline_from_config([]), [rep])
    attack = [c for c in found if c.kind == "attack"]
    steps = ["问清客户要降价的真实原因和目标价", "用客户自己的数据重讲一遍方案收益", "请主管确认可让步的底线"]
    assert [c.subject for c in attack] == [f"华东医疗：{s}" for s in steps]
    async with rt.db.session() as s:  # once the deal is lost, its attack actions are no longer must-dos
        await s.execute(update(Opportunity).values(status="lost"))
        found = await candidates.candidates(s, clock.now(), pipeline_from_config([]), [rep])
    assert [c for c in found if c.kind == "attack"] == []


async def test_manager_heatmap_and_report_cards(client, rt):
    chat, rep = await _deal(client, rt)
    boss = await add_member(rt, "韩总", role="manager")
    (choice,) = await chat.say(rep, "攻坚 预算")
    (card,) = await chat.click(rep, button(choice, ROI))
    await chat.click(rep, card["buttons"][0]["value"])
    (refused,) = await chat.say(rep, "攻坚热力图")
    assert refused["title"] == "这个操作做不了"
    (heat,) = await chat.say(boss, "攻坚热力图 30")
    assert heat["title"] == "攻坚动作热力图：我的团队" and fields(heat)["动作完成率"] == "100%（1/1）"
    assert "/dash/attack/heatmap?scope=mgr%3A" in heat["footer"] and "&sig=" in heat["footer"]
    (report,) = await chat.say(boss, "攻坚报告")
    assert report["title"].startswith("攻坚月报：")
    assert section(report, "按策略（完成率 · 赢单率）")["items"] == [
        f"客户说预算不足·{ROI}：动作完成 100%（1/1） 样本少 · 赢单 — · 1 张卡"]
    (bad,) = await chat.say(boss, "攻坚报告 明年")
    assert bad["title"] == "哪个月？"


async def test_an_imported_playbook_is_used_from_the_next_message(client, rt):
    from handlers.attack_common import DEFAULT_PACK
    from storage.repos import attack as attack_repo

    chat, rep = await _deal(client, rt)
    source = DEFAULT_PACK.read_text("utf-8").replace('name = "客户说预算不足"', 'name = "预算卡住了"')
    async with rt.db.session() as s:
        await attack_repo.save_pack(s, "华东剧本", source, rt.clock.now())
    (choice,) = await chat.say(rep, "攻坚 预算")
    assert choice["title"] == "预算卡住了：华东医疗"


async def test_switched_off_the_hooks_stay_quiet(client, rt):
    rt.settings.features.attack = False
    rookie = await add_member(rt, "新人小周")
    async with rt.db.session() as s:
        await s.execute(update(Member).where(Member.id == rookie).values(is_new=True))
    chat = Chat(client, rt)
    assert [c["title"] for c in await chat.say(rookie, "新建商机 星海零售")] == ["新商机：星海零售"]
    assert [c["title"] for c in await chat.say(rookie, "跟进 客户说预算不够")] == ["已记下跟进：星海零售"]
    assert await _rows(rt, Task) == []
