"""Card -> Feishu JSON 2.0 payloads, the 30 KB limit, and the playground preview."""

from __future__ import annotations

import json

from bot.core.actions import AdvanceStage, ShowHelp
from bot.core.cards import Button, Card, Check, Field, Form, Level, Section
from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.platforms.feishu.extras.preview import preview_html
from bot.platforms.feishu.render import (
    FORM_FIELD,
    MAX_CARD_BYTES,
    FeishuRenderer,
    _view,
    card_json,
    message_uuid,
    size_of,
)
from bot.platforms.registry import BY_NAME, Renderers
from cards.render import render_template
from cards.views import OpportunityView, error_card, opportunity_card
from tests.conftest import make_settings

CHAT = ChatRef("feishu", "oc_1", True, {"reply_to": "om_1"})
SETTINGS = make_settings("sqlite://")
render = FeishuRenderer(SETTINGS, ManualClock()).render


def _opportunity(customer: str = "华东医疗") -> Card:
    return opportunity_card(OpportunityView(3, customer, "李娜", "需求确认", "50万", "影像设备", "第1天",
                                            ["会议纪要"], [], "补上会议纪要"), "新商机：")


def _tags(card: dict) -> list[str]:
    return [el["tag"] for el in card["body"]["elements"]]


def test_opportunity_card_is_json_2_with_header_fields_and_callback_buttons():
    card = card_json(_opportunity())
    assert card["schema"] == "2.0" and card["config"]["update_multi"] is True
    assert card["header"]["template"] == "blue" and card["header"]["title"]["content"] == "新商机：华东医疗"
    assert _tags(card)[0] == "column_set" and "hr" in _tags(card)
    buttons = [c["elements"][0] for c in card["body"]["elements"][-1]["columns"]]
    assert [b["type"] for b in buttons] == ["primary", "default"]
    assert buttons[1]["behaviors"] == [{"type": "callback", "value": {"a": "opp.advance|3"}}]


def test_levels_pick_colours_and_warnings_answer_clicks_with_a_toast_only():
    payload = render(CHAT, error_card(), "", {})
    assert payload["card"]["header"]["template"] == "orange" and payload["inline"] == "toast"
    assert payload["toast"]["type"] == "warning" and payload["toast"]["content"].startswith("刚才没处理成功：")
    ok = render(CHAT, Card("已推进", Level.SUCCESS), "", {"toast": "好了"})
    assert ok["inline"] == "card" and ok["toast"] == {"type": "success", "content": "好了"}


def test_user_text_cannot_inject_mentions_or_break_json():
    card = card_json(Card('A"B', sections=[Section(text='<at id=all></at> "quoted" \\ back')]))
    content = card["body"]["elements"][0]["content"]
    assert "<at" not in content and "&lt;at id=all&gt;" in content and '"quoted" \\ back' in content


def test_payload_routes_replies_updates_and_targets():
    assert render(CHAT, _opportunity(), "", {})["reply_to"] == "om_1"
    card_chat = ChatRef("feishu", "oc_1", False, {"message_id": "om_card"})
    assert render(card_chat, _opportunity(), "", {"update": True})["update_message_id"] == "om_card"
    person = ChatRef("feishu", "e33ggbyz", False, {"receive_id_type": "user_id"})
    assert render(person, None, "hi", {}) | {"uuid": "-"} == {
        "uuid": "-", "msg_type": "text", "text": "hi", "inline": "toast", "receive_id_type": "user_id",
        "toast": {"type": "info", "content": "hi"}}


def test_uuid_derives_from_the_outbox_key_when_given():
    assert message_uuid("reply:feishu:msg:om_1:1") == message_uuid("reply:feishu:msg:om_1:1")
    assert len(message_uuid("k" * 500)) <= 50 and message_uuid(None) != message_uuid(None)


def test_oversized_cards_are_shortened_with_an_ellipsis():
    long = "很长的会议纪要" * 3000
    card = Card("大卡片", sections=[Section(text=long, items=[long] * 10, fields=[Field("说明", long)])],
                buttons=[Button("推进", AdvanceStage(opportunity_id=1))])
    data = card_json(card)
    assert size_of(data) <= MAX_CARD_BYTES and "…" in json.dumps(data, ensure_ascii=False)
    assert data["body"]["elements"][-1]["tag"] == "column_set"  # the buttons survive


def test_the_template_text_is_ascii_and_never_shorter_than_the_card_travels():
    # card_json skips measuring the compact form when the template's own text fits (bot/platforms/feishu/render.py)
    card = Card("标题 <at id=all> & 'x'", subtitle="副标题", footer="页脚 “引号”",
                sections=[Section(title="客户", text="预算 30-50万\n第二行", items=["一", "二 <b>"],
                                  fields=[Field("阶段", "需求确认"), Field("金额", "¥50万")])],
                buttons=[Button("推进", AdvanceStage(opportunity_id=1))], form=Form(ShowHelp(), placeholder="写点什么"))
    for limit in (None, 30):
        text = render_template("feishu/card.json.j2", **_view(card, limit))
        assert text.isascii() and len(text) >= size_of(json.loads(text))


def test_registered_as_the_feishu_renderer():
    assert Renderers(SETTINGS, ManualClock()).render(CHAT, _opportunity(), "", {})["msg_type"] == "interactive"


def test_preview_shows_the_json_that_is_sent():
    payload = render(CHAT, Card("帮助", footer="脚注", sections=[Section(title="能做", items=["**新建商机** x<y"])],
                                buttons=[Button("看全部指令", ShowHelp(topic="all"))]), "", {})
    html = preview_html(payload)
    assert "#3370ff" in html and "<b>能做</b>" in html and "<li><b>新建商机</b> x&lt;y</li>" in html
    assert 'data-action="help|all"' in html and "fs-note" in html
    assert preview_html({"msg_type": "text", "text": "<hi>"}).count("&lt;hi&gt;") == 1
    assert "[table]" in preview_html({"card": {"header": {}, "body": {"elements": [{"tag": "table"}]}}})


def test_preview_is_registered_for_the_playground():
    assert BY_NAME["feishu"].preview is preview_html


def _checklist() -> Card:
    checks = [Check("1. 发报价 — 明天", False, AdvanceStage(opportunity_id=3)), Check("2. 约财务 — 李娜", True)]
    return Card("清单", sections=[Section(title="清单", checks=checks)],
                form=Form(ShowHelp(topic="x"), "提交凭证", "贴链接"))


def test_checks_become_checker_elements_and_replace_the_item_lines():
    elements = card_json(_checklist())["body"]["elements"]
    todo, done = [el for el in elements if el["tag"] == "checker"]
    assert todo["checked"] is False and todo["text"] == {"tag": "plain_text", "content": "1. 发报价 — 明天"}
    assert todo["behaviors"] == [{"type": "callback", "value": {"a": "opp.advance|3"}}] and "disabled" not in todo
    assert done["checked"] is True and done["disabled"] is True and "behaviors" not in done
    assert todo["name"] != done["name"]
    assert not any("⬜" in el.get("content", "") for el in elements)  # the items are not shown twice


def test_a_form_has_one_named_input_and_a_submit_carrying_the_action():
    form = next(el for el in card_json(_checklist())["body"]["elements"] if el["tag"] == "form")
    box, submit = form["elements"]
    assert box["tag"] == "input" and box["name"] == FORM_FIELD and box["required"] is True
    assert box["placeholder"]["content"] == "贴链接"
    assert submit["form_action_type"] == "submit" and submit["name"] and submit["text"]["content"] == "提交凭证"
    assert submit["behaviors"] == [{"type": "callback", "value": {"a": "help|x"}}]


def test_preview_shows_checkers_as_clickable_lines_and_the_form():
    html = preview_html(render(CHAT, _checklist(), "", {}))
    assert 'class="fs-checker" role="checkbox" aria-checked="false" data-action="opp.advance|3"' in html
    assert 'aria-checked="true"' in html and "☑ 2. 约财务" in html
    assert 'class="fs-input"' in html and 'data-action="help|x"' in html and "fs-unknown" not in html
