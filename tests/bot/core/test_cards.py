"""The Card model's tickable checklists and forms: no line lost, round trips, and the playground rendering."""

from __future__ import annotations

from bot.core.actions import AskEvidence, TickAttack
from bot.core.cards import Card, Check, Form, Section
from cards.render import render_html
from cards.views import AttackLine, AttackView, attack_card, evidence_prompt_card

TICK = TickAttack(card_id=4, action_id=9)


def _checklist() -> Card:
    checks = [Check("1. 发报价", False, TICK), Check("2. 约财务", True)]
    return Card("清单", sections=[Section(title="清单", checks=checks)],
                form=Form(AskEvidence(opportunity_id=3), "提交凭证", "贴链接"))


def test_checks_fill_items_for_renderers_that_cannot_tick():
    assert _checklist().sections[0].items == ["⬜ 1. 发报价", "✅ 2. 约财务"]
    assert Section(items=["自己写的"], checks=[Check("x")]).items == ["自己写的"]


def test_checks_and_form_survive_a_round_trip_and_stay_out_of_plain_cards():
    card = _checklist()
    assert Card.from_dict(card.to_dict()) == card
    plain = Card("t", sections=[Section(items=["a"])]).to_dict()
    assert "form" not in plain and "checks" not in plain["sections"][0]


def test_playground_renders_checks_as_clickable_checkboxes_and_not_the_items():
    html = render_html(_checklist())
    assert 'class="check" data-action="atk.tick|4|9" role="checkbox" aria-checked="false"' in html
    assert 'aria-checked="true"' in html and "☑ 2. 约财务" in html and "⬜" not in html


def test_the_attack_card_ticks_every_undone_line_and_keeps_its_text_lines():
    lines = [AttackLine(9, "发模板", "明天到期", number=1),
             AttackLine(10, "约财务", "", done=True, note="李娜 11-27", number=2)]
    view = AttackView(4, 3, "华东医疗", "预算不足", "算清账", "", "李娜", lines)
    section = next(s for s in attack_card(view).sections if s.title == "清单")
    assert [(c.label, c.done, c.action) for c in section.checks] == [
        ("1. 发模板 — 明天到期", False, TICK), ("2. 约财务 — 李娜 11-27", True, None)]
    assert section.items == ["⬜ 1. 发模板 — 明天到期", "✅ 2. 约财务 — 李娜 11-27"]


def test_the_evidence_prompt_says_what_to_send_and_offers_a_form():
    card = evidence_prompt_card(3, ["会议纪要"])
    assert card.title == "怎么补凭证" and card.sections[0].items == ["还缺：会议纪要"]
    assert "凭证 <" in card.sections[0].text
    assert card.form == Form(AskEvidence(opportunity_id=3), "提交凭证", card.form.placeholder)
