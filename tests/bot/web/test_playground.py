"""The playground timeline draws each bot row in the viewer's skin, whatever shape of payload the row has."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from bot.web.playground import _bot_item

AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _row(payload: dict) -> SimpleNamespace:
    return SimpleNamespace(id=7, payload=payload, created_at=AT)


def test_a_push_is_shown_in_the_skin_the_viewer_chose():
    push = _row({"skins": {"wecom": "<w>", "dingtalk": "<d>", "feishu": "<f>"}})
    assert [_bot_item(push, skin)["html"] for skin in ("dingtalk", "feishu", "")] == ["<d>", "<f>", "<w>"]


def test_a_reply_drawn_in_one_skin_is_shown_to_a_viewer_of_another():
    assert _bot_item(_row({"skins": {"feishu": "<f>"}}), "wecom")["html"] == "<f>"


def test_a_row_from_before_skins_shows_its_one_html():
    assert _bot_item(_row({"html": "<old>"}), "wecom")["html"] == "<old>"
    assert _bot_item(_row({"text": "纯文本"}), "wecom")["html"] == ""
