"""The opportunity card in each phase, and the scripts, close-reason, approval and stats cards."""

from __future__ import annotations

import dataclasses

from bot.core.actions import AskClose, CloseOpportunity, DecideApproval, ShowScripts, UseScript
from bot.core.cards import Card
from bot.core.packing import unpack
from cards.views import (
    ApprovalView,
    OpportunityView,
    ScriptLine,
    approval_card,
    close_reasons_card,
    opportunity_card,
    script_stats_card,
    scripts_card,
)

BASE = OpportunityView(7, "华东医疗", "李娜", "报价反馈", "50万", "", "已停留 1 天（标准 7 天）", [], [], "点赢单")


def _labels(card: Card) -> list[str]:
    return [b.label for b in card.buttons]


def test_each_phase_has_one_primary_next_step():
    cases = {
        "close": ["赢单", "输单"],
        "approval": ["刷新审批进度"],
        "closed": [],
    }
    for phase, labels in cases.items():
        card = opportunity_card(dataclasses.replace(BASE, phase=phase))
        assert _labels(card) == labels
        assert [b.style for b in card.buttons].count("primary") == (1 if labels else 0)
    missing_at_last = opportunity_card(dataclasses.replace(BASE, phase="close", missing=["报价邮件或截图"]))
    assert _labels(missing_at_last) == ["补凭证", "输单"]
    assert missing_at_last.buttons[1].action == AskClose(opportunity_id=7, outcome="lost")


def test_scripts_notes_and_quote_show_and_add_one_button():
    card = opportunity_card(dataclasses.replace(BASE, phase="open", scripts=["话术一", "话术二"],
                                                notes=["韩总同意了报价：好"], quote="45万，折扣 10%"))
    assert _labels(card) == ["推进到下一阶段", "刷新", "看话术"]
    assert card.buttons[2].action == ShowScripts(opportunity_id=7)
    titles = [s.title for s in card.sections]
    assert titles.index("最近变化") < titles.index("下一步") < titles.index("推荐话术")
    assert any(f.label == "报价" and f.value == "45万，折扣 10%" for f in card.sections[0].fields)
    closed = opportunity_card(dataclasses.replace(BASE, phase="closed", scripts=["话术一"]))
    assert "推荐话术" not in [s.title for s in closed.sections] and closed.buttons == []


def test_scripts_card_explains_and_offers_use_buttons():
    lines = [ScriptLine(i, f"标题{i}", "正文", "阶段对口 +3") for i in (11, 12, 13)]
    card = scripts_card(7, "华东医疗", "需求确认", lines)
    assert _labels(card) == ["用了第1条", "用了第2条", "用了第3条"]
    assert card.buttons[2].action == UseScript(opportunity_id=7, script_id=13)
    assert card.sections[0].items == ["为什么推荐：阶段对口 +3"]
    assert scripts_card(7, "华东医疗", "需求确认", []).title == "还没有合适的话术"


def test_close_reasons_fit_six_buttons_and_round_trip():
    reasons = [f"原因{i}" for i in range(8)]
    card = close_reasons_card(7, "华东医疗", "lost", reasons)
    assert len(card.buttons) == 6 and card.sections[0].items == reasons
    value = card.buttons[0].action.pack()
    assert unpack(value) == CloseOpportunity(opportunity_id=7, outcome="lost", reason="原因0")
    assert Card.from_dict(card.to_dict()) == card


def test_approval_card_buttons():
    card = approval_card(ApprovalView(3, 7, "华东医疗", "李娜", "报价反馈", "45万", "20%（8折）", "折扣超线", "50万"))
    assert [b.action for b in card.buttons] == [DecideApproval(approval_id=3, approve=True),
                                                DecideApproval(approval_id=3, approve=False, remark="折扣太大"),
                                                DecideApproval(approval_id=3, approve=False)]
    assert "只有负责人的主管或管理员" in card.footer


def test_stats_card_rates():
    card = script_stats_card([("A", 4, 1)], [])
    assert card.sections[0].items == ["A：采用 1 / 推荐 4（25%）"] and card.sections[1].items == ["还没有推荐记录"]
