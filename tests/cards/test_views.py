"""Card builders and the HTML renderer: the next step within one glance, and nothing unescaped."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.actions import AdvanceStage, AskEvidence, ShowHelp, ShowOpportunity
from bot.core.cards import Button, Card, Field, Level, Section
from cards.render import render_html
from cards.views import HelpEntry, OpportunityView, error_card, help_card, notice_card, opportunity_card

ENTRIES = [HelpEntry(f"指令{i} <参数>", f"做第{i}件事", (f"cmd{i}",)) for i in range(1, 7)]


def _view(**changes) -> OpportunityView:
    base = OpportunityView(id=12, customer="华东医疗", owner="周杰", stage_name="方案演示", budget="50万",
                           need="要一套 CRM", days_label="已停留 3 天（标准 10 天）",
                           missing=["演示视频或链接"], evidence=["会议纪要"], next_step="约客户做演示")
    return dataclasses.replace(base, **changes)


def _fields(card: Card) -> dict[str, str]:
    return {f.label: f.value for s in card.sections for f in s.fields}


def _section(card: Card, title: str) -> Section | None:
    return next((s for s in card.sections if s.title == title), None)


# --- opportunity card --------------------------------------------------------------------------------


def test_opportunity_card_shows_where_the_customer_is_stuck_first():
    card = opportunity_card(_view())
    assert card.title == "华东医疗" and card.subtitle == "商机 #12" and card.level is Level.INFO
    first = card.sections[0].fields
    assert first[0] == Field("客户现在卡在哪", "方案演示")
    assert _fields(card)["客户自己说的预算范围"] == "50万"
    assert _fields(card)["负责人"] == "周杰"
    assert _fields(card)["停留"] == "已停留 3 天（标准 10 天）"
    assert _section(card, "客户要什么").text == "要一套 CRM"
    assert _section(card, "推进前还缺").items == ["演示视频或链接"]
    assert _section(card, "已交凭证").items == ["会议纪要"]
    assert _section(card, "下一步").text == "约客户做演示"


def test_missing_evidence_makes_补凭证_the_primary_button():
    card = opportunity_card(_view())
    assert len(card.buttons) <= 2
    primary, second = card.buttons
    assert (primary.label, primary.style, primary.action) == ("补凭证", "primary", AskEvidence(opportunity_id=12))
    assert second.style != "primary" and second.action == AdvanceStage(opportunity_id=12)


def test_complete_evidence_makes_advance_the_primary_button():
    card = opportunity_card(_view(missing=[], evidence=["会议纪要", "演示视频或链接"]))
    assert len(card.buttons) <= 2
    assert card.buttons[0].style == "primary" and card.buttons[0].action == AdvanceStage(opportunity_id=12)
    assert [b.style for b in card.buttons].count("primary") == 1
    assert card.buttons[1].action == ShowOpportunity(opportunity_id=12)
    assert _section(card, "推进前还缺") is None


def test_optional_sections_are_left_out_and_overdue_warns():
    card = opportunity_card(_view(need="", missing=[], evidence=[], overdue=True), title_prefix="⚠ ")
    assert card.title == "⚠ 华东医疗" and card.level is Level.WARNING
    # "遇到难题？" (attack scenarios as text commands, issue 8 item 2) is on every open deal's card
    assert [s.title for s in card.sections] == ["", "下一步", "遇到难题？"]


def test_card_dict_round_trip():
    card = opportunity_card(_view())
    data = card.to_dict()
    assert data["level"] == "info"
    assert data["buttons"][0] == {"label": "补凭证", "value": "opp.evidence|12", "style": "primary"}
    assert data["sections"][0]["fields"][0] == ["客户现在卡在哪", "方案演示"]
    assert Card.from_dict(data) == card


# --- help, notice and error cards -------------------------------------------------------------------


def test_short_help_lists_at_most_four_items_and_quotes_what_it_heard():
    heard = "帮我查一下上周那个很长很长很长很长很长很长很长很长很长的客户情况好吗"
    card = help_card(ENTRIES, "销售助手", short=True, heard=heard)
    (section,) = card.sections
    assert len(section.items) == 4
    assert section.items[0] == "**指令1 <参数>** — 做第1件事"
    assert section.text == f"没听懂“{heard[:30]}”。可以这样说："
    assert [b.action for b in card.buttons] == [ShowHelp(topic="all")]
    assert "@销售助手" in card.footer


def test_short_help_without_heard_text():
    card = help_card(ENTRIES[:2], "小助", short=True)
    assert card.sections[0].text == "可以这样说：" and len(card.sections[0].items) == 2


def test_full_help_lists_everything_with_english_aliases():
    card = help_card(ENTRIES, "销售助手")
    assert card.title == "销售助手能做什么"
    assert len(card.sections[0].items) == 6
    assert card.footer == "英文别名：" + ", ".join(f"cmd{i}" for i in range(1, 7))
    assert help_card([HelpEntry("帮助", "看指令")], "x").footer == ""


def test_error_card_is_friendly_and_shows_no_internals():
    card = error_card()
    assert card.level is Level.WARNING
    text = " ".join([card.title, *(s.text for s in card.sections)])
    assert "帮助" in text
    for internal in ("Traceback", "Error", "Exception", "line "):
        assert internal not in text
    assert [b.action for b in card.buttons] == [ShowHelp(topic="all")]


def test_notice_card():
    card = notice_card("好了", "已保存", Level.SUCCESS, items=["a"], buttons=[Button("看", ShowHelp())])
    assert card.level is Level.SUCCESS and card.sections[0].items == ["a"] and len(card.buttons) == 1


# --- HTML rendering ------------------------------------------------------------------------------------

XSS = "<script>alert('x')</script>"


@pytest.mark.parametrize("skin", ["wecom", "dingtalk", "feishu"])
def test_render_html_escapes_the_customer_name(skin):
    html = render_html(opportunity_card(_view(customer=XSS, need="<b>bold</b>", owner='"><img src=x>')), skin)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "<img" not in html
    assert f"card-{skin}" in html


def test_render_html_shows_the_card():
    html = render_html(opportunity_card(_view()))
    for text in ("华东医疗", "客户现在卡在哪", "方案演示", "补凭证", "推进到下一阶段", "btn-primary", "level-info"):
        assert text in html
    assert 'data-action="opp.evidence|12"' in html
    assert html.index("补凭证") < html.index("推进到下一阶段")


def test_render_html_bolds_help_items_after_escaping():
    html = render_html(help_card([HelpEntry("新建商机 <客户>", XSS)], "销售助手"))
    assert "<b>新建商机 &lt;客户&gt;</b>" in html
    assert "<script>" not in html


def test_render_html_escapes_a_bold_injection():
    html = render_html(notice_card("t", "", items=["**<img src=x onerror=alert(1)>**"]))
    assert "<img" not in html and "<b>&lt;img" in html
