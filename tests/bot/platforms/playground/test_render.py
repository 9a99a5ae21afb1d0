"""The playground queues a card's data and draws it, when read, as a skin's platform would send it."""

from __future__ import annotations

from bot.core.cards import Card
from bot.core.events import ChatRef
from bot.platforms.base import Skin
from bot.platforms.playground.render import PlaygroundRenderer


class _Echo:
    def render(self, chat, card, text, extra):
        return {"title": card.title, "chat": chat.chat_id, "views": {"d1": {"title": card.title}}}


class _Broken:
    def render(self, chat, card, text, extra):
        raise RuntimeError("renderer bug")


def _skin(tag: str) -> Skin:
    return Skin(_Echo(), lambda p: f"<{tag} {p['title']} {p['chat']}>")


ECHOES = PlaygroundRenderer({"wecom": _skin("wecom"), "feishu": _skin("feishu")})


def test_a_queued_card_is_its_data_only_so_a_push_to_many_draws_nothing():
    payload = ECHOES.render(ChatRef("playground", "group:1", True, {}), Card("周报"), "", {"toast": "好"})
    assert payload == {"skin": "", "text": "", "chat_id": "group:1", "card": Card("周报").to_dict(), "toast": "好"}


def test_a_reply_is_drawn_in_the_skin_it_was_sent_from_with_the_views_its_links_open():
    payload = ECHOES.render(ChatRef("playground", "group:1", True, {"skin": "feishu"}), Card("周报"), "", {})
    assert ECHOES.draw(payload, "wecom") == ("<feishu 周报 preview>", {"d1": {"title": "周报"}})


def test_a_push_is_drawn_in_the_viewers_skin_and_an_unknown_skin_gets_the_first():
    payload = ECHOES.render(ChatRef("playground", "group:1", True, {}), Card("周报"), "", {})
    assert [ECHOES.draw(payload, skin)[0] for skin in ("feishu", "wecom", "", "msn")] == \
        ["<feishu 周报 preview>", "<wecom 周报 preview>", "<wecom 周报 preview>", "<wecom 周报 preview>"]


def test_a_broken_or_missing_preview_falls_back_to_the_plain_card():
    renderer = PlaygroundRenderer({"wecom": Skin(_Broken(), lambda p: "never")})
    payload = renderer.render(ChatRef("playground", "group:1", True, {}), Card("周报"), "", {})
    for skin in ("wecom", "dingtalk"):
        html, views = renderer.draw(payload, skin)
        assert "card-" in html and "周报" in html and views == {}  # cards/templates/playground/card.html.j2


def test_rows_queued_before_drawing_moved_to_read_time_show_their_html():
    push = {"skin": "", "skins": {"wecom": "<w>", "dingtalk": "<d>", "feishu": "<f>"}}
    assert [ECHOES.draw(push, skin)[0] for skin in ("dingtalk", "feishu", "")] == ["<d>", "<f>", "<w>"]
    assert ECHOES.draw({"skin": "feishu", "skins": {"feishu": "<f>"}}, "wecom") == ("<f>", {})
    assert ECHOES.draw({"html": "<old>"}, "wecom") == ("<old>", {})  # from before skins
    assert ECHOES.draw({"text": "纯文本"}, "wecom") == ("", {})


def test_a_card_whose_buttons_no_longer_decode_is_drawn_without_them_and_a_broken_one_as_its_text():
    stored = Card("周报").to_dict() | {"buttons": [{"label": "旧按钮", "value": "gone.action|1", "style": ""}]}
    html, _ = PlaygroundRenderer({}).draw({"skin": "wecom", "card": stored}, "wecom")
    assert "周报" in html and "旧按钮" not in html
    assert PlaygroundRenderer({}).draw({"skin": "wecom", "card": {"title": "坏"}, "text": "t"}, "wecom") == ("", {})
