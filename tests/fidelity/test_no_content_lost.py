"""No content lost: every card the product builds, on every platform and carrier, shows each of its facts
on the message itself or links its full view (the signed page of that exact card), which shows them all."""

from __future__ import annotations

import re
from html import unescape

import pytest

from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.core.viewlinks import digest
from bot.platforms.dingtalk import render as dingtalk_render
from bot.platforms.registry import Renderers
from bot.platforms.wecom.extras import markdown_v2
from bot.web.fullview import page
from cards.facts import facts, missing, norm
from tests.cards.catalog import catalog, help_entries
from tests.conftest import make_settings
from tests.fakes.wecom import check_card, check_webhook

TARGETS = {
    "wecom.app": ChatRef("wecom", "dm:lina", False, {}),
    "wecom.robot": ChatRef("wecom", "robot:chat1", True, {"userid": "lina", "response_url": "https://r.test/1"}),
    "wecom.webhook": ChatRef("wecom", "webhook:east", True, {}),
    "wecom.markdown": ChatRef("wecom", "webhook:east", True, {"format": "markdown"}),
    "wecom.markdown_v2": ChatRef("wecom", "webhook:east", True, {"format": "markdown_v2"}),
    "wecom.text_notice": ChatRef("wecom", "webhook:east", True, {"format": "text_notice"}),
    "dingtalk.user": ChatRef("dingtalk", "user:u1", False, {}),
    "dingtalk.group": ChatRef("dingtalk", "group:cid1", True, {}),
    "feishu.group": ChatRef("feishu", "oc_1", True, {"sender": "ou_1"}),
    "playground": ChatRef("playground", "group:1", True, {"skin": "wecom"}),
}
CARDS = catalog()


def _renderers(**dingtalk) -> Renderers:
    """Every renderer with a secret and a public URL, as a running server has them."""
    settings = make_settings("sqlite://", server={"secret_key": "k" * 32, "public_url": "https://bot.test"},
                             dingtalk=dingtalk)
    return Renderers(settings, ManualClock())


render = _renderers().render


def _lossless(card, payload) -> bool:
    """Every fact is on the message, or the message links the stored full view of exactly this card."""
    body = payload.get("body") or {}
    if body.get("msgtype") == "markdown_v2":  # rows of a table stand for the card's `name：k v · k v` lines
        if markdown_v2.complete(card, body["markdown_v2"]["content"]):
            return True
    elif not missing(card, {k: v for k, v in payload.items() if k != "views"}):
        return True
    views = payload.get("views", {})
    key = digest(card.to_dict())
    return views.get(key) == card.to_dict() and key in str(payload)


@pytest.mark.parametrize("target", list(TARGETS))
def test_every_card_keeps_every_fact_on_every_carrier(target):
    lost = []
    for name, card in CARDS:
        payload = render(TARGETS[target], card, "", {"idempotency_key": f"k:{name}"})
        if not _lossless(card, payload):
            lost.append((name, missing(card, payload)[:2]))
        _within_limits(target, payload)
    assert not lost, lost


def test_dingtalk_interactive_cards_keep_every_fact():
    interactive = _renderers(card_template_id="tpl.1")
    for name, card in CARDS:
        payload = interactive.render(TARGETS["dingtalk.user"], card, "", {})
        assert payload["kind"] == "card" and _lossless(card, payload), name


def _within_limits(target: str, payload: dict) -> None:
    if target in ("wecom.app",):
        assert check_card(payload["body"]["template_card"]) == ""
    elif target.startswith("wecom.") and target != "wecom.robot":
        assert check_webhook(payload["body"]) == ""
    elif target == "dingtalk.user" and payload["body"]["msgtype"] == "actionCard":
        assert len(payload["body"]["actionCard"].get("btns", [])) <= dingtalk_render.ACTION_CARD_BUTTONS


def _page_text(html: str) -> str:
    return norm(unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_full_view_page_shows_every_fact_of_every_card():
    for name, card in CARDS:
        text = _page_text(page(card, [(b.label, "/a/x", b.style) for b in card.buttons], True))
        assert not [f for f in facts(card) if f not in text], name


def test_wecom_help_lists_every_command_on_the_card_or_its_full_view():
    [(_, card)] = [(n, c) for n, c in CARDS if n == "help:real"]
    assert len(card.sections[0].items) == len(help_entries()) >= 23  # every command, 开群 included
    payload = render(TARGETS["wecom.app"], card, "", {})
    tc = payload["body"]["template_card"]
    assert tc["sub_title_text"].endswith("点卡片看全部") and "/v/" in tc["card_action"]["url"]
    assert all("…" not in line for line in tc["sub_title_text"].splitlines()[:-1])  # whole lines, none cut
    assert _lossless(card, payload)


def test_wecom_scripts_show_all_three_and_distinct_buttons():
    [card] = [c for n, c in CARDS if n == "opp.scripts:real"]
    payload = render(TARGETS["wecom.app"], card, "", {})
    tc = payload["body"]["template_card"]
    assert [b["text"] for b in tc["button_list"]] == ["用了第1条", "用了第2条", "用了第3条"]
    assert _lossless(card, payload) and len(card.sections) == 3


def test_team_daily_and_weekly_reach_all_seven_reps():
    for name in ("daily.team:real", "weekly:real"):
        [card] = [c for n, c in CARDS if n == name]
        for target in ("wecom.app", "wecom.webhook", "dingtalk.group", "feishu.group"):
            payload = render(TARGETS[target], card, "", {})
            assert _lossless(card, payload), (name, target)
        assert sum(r in str(card.to_dict()) for r in ("王芳", "李强", "张伟", "刘洋", "陈静", "杨帆", "赵磊")) == 7


def test_breakpoint_buttons_are_short_and_distinct():
    [card] = [c for n, c in CARDS if n == "breakpoints:real"]
    tc = render(TARGETS["wecom.app"], card, "", {})["body"]["template_card"]
    labels = [b["text"] for b in tc["button_list"]]
    assert len(set(labels)) == len(labels) and all(len(x) <= 10 and "…" not in x for x in labels)
