"""The opportunity lifecycle end to end through the playground: the card says what is missing at every step."""

from __future__ import annotations

from sqlalchemy import select

from handlers.opp_view import QUOTE_ITEM
from storage.models import Approval, Evidence, Opportunity, StageChange
from tests.handlers.opp_helpers import Chat, button, fields, missing, next_step, section
from tests.helpers import add_member

NEW = "新建商机 华东医疗 预算 30-50万 需求 影像设备"


async def _rows(rt, model):
    async with rt.db.session() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def test_create_evidence_advance_twice_approval_won(client, rt):
    rep, boss = await add_member(rt, "李娜"), await add_member(rt, "韩总", role="manager")
    chat = Chat(client, rt)

    (card,) = await chat.say(rep, NEW)
    assert card["title"] == "新商机：华东医疗"
    assert fields(card)["客户现在卡在哪"] == "需求确认" and fields(card)["客户自己说的预算范围"].startswith("30万–50万")
    assert missing(card) == ["会议纪要"] and "会议纪要" in next_step(card)
    assert [b["label"] for b in card["buttons"]] == ["补凭证", "推进到下一阶段"]

    (refused,) = await chat.say(rep, "推进")
    assert refused["title"].startswith("还不能推进：") and refused["sections"][0]["items"] == ["会议纪要"]

    (card,) = await chat.say(rep, "凭证 https://docs.example.com/minutes-1")
    assert card["title"] == "已记下会议纪要：华东医疗" and missing(card) == []
    (line,) = section(card, "已交凭证")["items"]
    assert line.startswith("会议纪要：https://docs.example.com/minutes-1 — 李娜 ")  # who and when
    assert card["buttons"][0]["label"] == "推进到下一阶段"

    (card,) = await chat.click(rep, button(card, "推进到下一阶段"))
    assert card["title"] == "已推进到方案演示：华东医疗"
    assert missing(card) == ["演示视频或链接", QUOTE_ITEM]

    image = {"kind": "image", "platform_id": "media-123", "name": "演示截图.png"}
    (card,) = await chat.send_event(chat.attachment(rep, [image]))
    assert card["title"] == "已记下演示视频或链接：华东医疗" and missing(card) == [QUOTE_ITEM]
    assert "报价 金额 折扣" in next_step(card)

    (card,) = await chat.say(rep, "报价 45万 折扣 20%")
    assert card["title"] == "已记下报价：华东医疗" and missing(card) == []
    assert fields(card)["报价"] == "45万，折扣 20%（8折）" and "主管审批" in next_step(card)

    rep_card, approval = await chat.click(rep, button(card, "推进到下一阶段"))
    assert approval["title"] == "报价审批：华东医疗"
    assert "折扣 20% 超过了 15% 的审批线" in approval["sections"][1]["text"]
    assert rep_card["title"] == "已提交报价审批：华东医疗"
    assert fields(rep_card)["客户现在卡在哪"] == "方案演示" and "报价审批中" in next_step(rep_card)
    assert [b["label"] for b in rep_card["buttons"]] == ["刷新审批进度"]

    (self_approve,) = await chat.click(rep, button(approval, "同意"))
    assert self_approve["title"] == "这个操作做不了" and "不能审批自己的报价" in self_approve["sections"][0]["text"]

    (decided, card) = await chat.click(boss, button(approval, "同意"))
    assert decided["buttons"] == [] and "已同意" in decided["title"]  # the approval card has no live buttons
    assert card["title"] == "报价已同意：华东医疗" and fields(card)["客户现在卡在哪"] == "报价反馈"
    assert missing(card) == ["报价邮件或截图"]
    assert section(card, "最近变化")["items"][0].startswith("韩总同意了报价")

    (card,) = await chat.say(rep, "凭证 报价邮件或截图 已发邮件，客户回复下周签")
    assert missing(card) == [] and [b["label"] for b in card["buttons"]] == ["赢单", "输单"]
    assert "赢单" in next_step(card)

    (reasons,) = await chat.click(rep, button(card, "赢单"))
    assert reasons["title"] == "赢单原因：华东医疗"
    (card,) = await chat.click(rep, button(reasons, "方案最贴合需求"))
    assert card["title"] == "恭喜赢单：华东医疗" and fields(card)["客户现在卡在哪"] == "赢单"
    assert [b["label"] for b in card["buttons"]] == ["客户已验收"]  # the won deal's order awaits acceptance

    (opp,) = await _rows(rt, Opportunity)
    assert (opp.status, opp.won_reason, opp.amount, opp.discount) == ("won", "方案最贴合需求", 450_000, 20.0)
    changes = [(c.from_stage, c.to_stage, c.via, c.member_id) for c in await _rows(rt, StageChange)]
    assert changes == [("needs", "demo", "evidence", rep), ("demo", "quote", "approval", boss),
                       ("quote", "won", "won", rep)]
    (appr,) = await _rows(rt, Approval)
    assert (appr.status, appr.decided_by, appr.discount) == ("approved", boss, 20.0)
    media = [(e.kind, e.media_kind, e.media_platform, e.media_ref) for e in await _rows(rt, Evidence)]
    assert media[1] == ("演示视频或链接", "image", "playground", "media-123")
    assert media[0][1] == "link" and media[2][1] == "note"


async def test_rejected_quote_returns_with_the_remark_then_a_small_discount_needs_no_approval(client, rt):
    rep, boss = await add_member(rt, "王强"), await add_member(rt, "刘总", role="manager")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 宏达制造")
    await chat.say(boss, "强制推进 老客户，需求会纪要后补")
    await chat.say(rep, "凭证 演示视频或链接 https://v.example.com/1")
    await chat.say(rep, "报价 80万 75折")
    _, approval = await chat.say(rep, "推进")
    (ask,) = await chat.click(boss, button(approval, "驳回：写原因"))
    assert ask["title"] == "驳回要写原因"
    (card,) = await chat.say(boss, "驳回 折扣超过底线，先争取 9 折")
    assert card["title"] == "报价被退回：宏达制造" and fields(card)["客户现在卡在哪"] == "方案演示"
    assert "刘总退回了报价：折扣超过底线，先争取 9 折" in section(card, "最近变化")["items"][0]
    (again,) = await chat.click(boss, button(approval, "同意"))
    assert again["title"] == "这个审批已经处理过了"
    await chat.say(rep, "报价 80万 9折")
    (card,) = await chat.say(rep, "推进")
    assert card["title"] == "已推进到报价反馈：宏达制造"


async def test_manager_override_is_recorded_and_reps_cannot_override(client, rt):
    rep, boss = await add_member(rt, "赵敏"), await add_member(rt, "孙总", role="manager")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 东方教育")
    (refused,) = await chat.say(rep, "强制推进 我觉得可以")
    assert refused["title"] == "这个操作做不了"
    (ask,) = await chat.say(boss, "强制推进")
    assert ask["title"] == "强制推进要写原因"
    (card,) = await chat.say(boss, "强制推进 客户口头确认了需求，纪要周五补")
    assert card["title"] == "已强制推进到方案演示：东方教育"
    assert section(card, "最近变化")["items"][0].startswith("孙总强制推进：客户口头确认了需求，纪要周五补")
    (change,) = await _rows(rt, StageChange)
    assert (change.via, change.member_id, change.reason) == ("override", boss, "客户口头确认了需求，纪要周五补")
    assert change.at is not None


async def test_won_needs_the_last_stage_and_lost_needs_a_listed_reason(client, rt):
    rep = await add_member(rt, "钱进")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 星海零售")
    (card,) = await chat.say(rep, "赢单 价格有优势")
    assert card["title"].startswith("还不能标记赢单：") and "先推进到“报价反馈”" in card["sections"][0]["items"][0]
    (card,) = await chat.say(rep, "输单 不想做了")
    assert card["title"] == "输单原因：星海零售" and "不在原因列表里" in card["sections"][0]["text"]
    assert [b["label"] for b in card["buttons"]][:2] == ["价格太高", "选了竞品"]
    (card,) = await chat.say(rep, "输单 选了竞品 对方便宜两成")
    assert card["title"] == "已标记输单：星海零售" and "选了竞品：对方便宜两成" in next_step(card)
    (card,) = await chat.say(rep, "推进")
    assert card["title"] == "没找到商机"  # closed deals are no longer this chat's current deal


async def test_approval_always_and_never_modes(client, rt):
    rep = await add_member(rt, "周杰")
    chat = Chat(client, rt)
    rt.settings.opportunities.approval = "always"
    await chat.say(rep, "新建商机 长江金融")
    await chat.say(rep, "凭证 会议纪要 https://docs.example.com/minutes")
    (card,) = await chat.say(rep, "推进")
    assert missing(card) == ["演示视频或链接"]  # no quote needed in "always" mode
    await chat.say(rep, "凭证 演示视频或链接 https://v.example.com/2")
    cards = await chat.say(rep, "推进")
    assert [c["title"] for c in cards] == ["已提交报价审批：长江金融", "报价审批：长江金融"]
    assert "每次报价都要主管审批" in cards[1]["sections"][1]["text"]
    rt.settings.opportunities.approval = "never"
    await chat.say(rep, "新建商机 黄河银行")
    await chat.say(rep, "凭证 会议纪要 https://docs.example.com/minutes")
    await chat.say(rep, "推进")
    await chat.say(rep, "凭证 演示视频或链接 https://v.example.com/3")
    (card,) = await chat.say(rep, "推进 黄河银行")
    assert card["title"] == "已推进到报价反馈：黄河银行"


async def test_configured_stages_drive_the_card(client, rt):
    rt.settings.opportunities.stages = [
        {"key": "discover", "name": "摸底", "evidence": ["拜访记录", "组织架构"], "benchmark_days": 3},
        {"key": "contract", "name": "签约", "evidence": ["合同扫描件"]}]
    rt.settings.opportunities.approval = "never"
    rep = await add_member(rt, "吴磊")
    chat = Chat(client, rt)
    (card,) = await chat.say(rep, "新建商机 远山科技")
    assert fields(card)["客户现在卡在哪"] == "摸底" and missing(card) == ["拜访记录", "组织架构"]
    assert fields(card)["停留"] == "已停留 0 天（标准 3 天）"
    (card,) = await chat.say(rep, "凭证 组织架构 采购部王总拍板，技术部李工评估")
    assert missing(card) == ["拜访记录"]
    (card,) = await chat.say(rep, "凭证 周一拜访了 CTO，确认了三个需求点")
    (card,) = await chat.say(rep, "推进")
    assert card["title"] == "已推进到签约：远山科技" and missing(card) == ["合同扫描件"]
