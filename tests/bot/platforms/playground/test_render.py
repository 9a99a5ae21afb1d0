"""The playground draws each card as every skin would send it, from the renderers it was built with."""

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


def test_each_skin_is_its_platforms_own_preview_and_its_views_are_kept():
    renderer = PlaygroundRenderer({"wecom": Skin(_Echo(), lambda p: f"<wecom {p['title']} {p['chat']}>")})
    payload = renderer.render(ChatRef("playground", "group:1", True, {"skin": "wecom"}), Card("周报"), "", {})
    assert payload["skins"] == {"wecom": "<wecom 周报 preview>"} and "html" not in payload  # no second copy
    assert payload["views"] == {"d1": {"title": "周报"}}  # the preview's full-view links must open


def test_a_push_is_drawn_in_every_skin_and_a_broken_preview_falls_back_to_the_plain_card():
    renderer = PlaygroundRenderer({"wecom": Skin(_Broken(), lambda p: "never")})
    payload = renderer.render(ChatRef("playground", "group:1", True, {}), Card("周报"), "", {"toast": "好"})
    assert list(payload["skins"]) == ["wecom", "dingtalk", "feishu"] and payload["toast"] == "好"
    assert all("card-" in html for html in payload["skins"].values())  # cards/templates/playground/card.html.j2
