"""The full-view page of a shortened card, and the playground showing each skin's own pushes."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from bot.core.cards import Card
from bot.core.clock import ManualClock
from bot.core.events import ChatRef
from bot.core.viewlinks import digest, full_view
from bot.platforms.registry import Renderers
from cards.facts import facts, norm
from storage.repos import card_views, outbox
from tests.cards.catalog import catalog
from tests.conftest import make_settings

HELP = next(c for n, c in catalog() if n == "help:real")


async def _enqueue(rt, key: str, to: ChatRef, card) -> None:
    async with rt.db.session() as s:
        await (await rt.context(s)).outbox.send(to, card, key)


async def test_a_shortened_wecom_card_opens_its_stored_full_view_with_buttons_for_the_person(rt, client):
    rt.settings.server.secret_key = "s" * 32
    rt.renderers = Renderers(rt.settings, rt.clock)  # rebuilt: the secret key changed
    await _enqueue(rt, "help:1", ChatRef("wecom", "dm:lina", False, {}), HELP)
    [row] = [r for r in await _outbox(rt) if r.platform == "wecom"]
    assert "views" not in row.payload  # stored in card_view, not sent to WeCom
    url = urlsplit(row.payload["body"]["template_card"]["card_action"]["url"])
    page = await client.get(f"{url.path}?{url.query}")
    text = norm(re.sub(r"<[^>]+>", " ", await page.text()))
    assert page.status == 200 and all(f in text for f in facts(HELP))
    assert 'name="viewport"' in await page.text()
    tampered = await client.get(f"{url.path}?{url.query.replace('u=lina', 'u=boss')}")
    assert tampered.status == 403 and "链接无效" in await tampered.text() and "/a/" not in await tampered.text()
    gone = await client.get(f"/v/{'a' * 32}?{url.query}")
    # the signature covers the path: another digest is refused
    assert gone.status == 403 and "链接无效" in await gone.text()
    unsigned = await client.get(f"{url.path}?u=boss&p=wecom")
    assert unsigned.status == 403 and "/a/" not in await unsigned.text()
    never_stored, _ = full_view(Card("从未保存"), rt.settings.server.public_url, rt.settings.server.secret_key,
                                rt.clock.now(), "wecom", "lina")
    parts = urlsplit(never_stored)
    gone_card = await client.get(f"{parts.path}?{parts.query}")
    assert gone_card.status == 404 and "这张卡片已过期" in await gone_card.text()
    rt.clock.advance(timedelta(days=400))
    expired = await client.get(f"{url.path}?{url.query}")
    assert expired.status == 410 and "链接已过期" in await expired.text()


async def test_the_stored_view_is_exactly_the_card(rt):
    await _enqueue(rt, "help:2", ChatRef("wecom", "webhook:east", True, {"format": "text_notice"}), HELP)
    async with rt.db.session() as s:
        assert await card_views.load(s, digest(HELP.to_dict())) == HELP.to_dict()


async def test_a_push_is_shown_in_the_skin_the_viewer_chose(rt, client):
    await _enqueue(rt, "push:1", ChatRef("playground", "group:1", True, {}), HELP)
    while await rt.sender.run_once():
        pass
    shown = {}
    for skin in ("wecom", "dingtalk", "feishu"):
        data = await (await client.get(f"/playground/api/timeline?chat_id=group:1&skin={skin}")).json()
        [item] = [i for i in data["items"] if i["from"] == "bot"]
        shown[skin] = item["html"]
    assert len(set(shown.values())) == 3  # three different platform renderings, none defaulted to WeCom
    assert "实际发送" in shown["dingtalk"] or "dingtalk" in shown["dingtalk"].lower()


async def test_a_reply_keeps_the_skin_it_was_sent_from():
    renderers = Renderers(make_settings("sqlite+aiosqlite://"), ManualClock())
    payload = renderers.render(ChatRef("playground", "group:1", True, {"skin": "feishu"}), HELP, "", {})
    assert payload["skin"] == "feishu" and payload["card"] == HELP.to_dict() and "skins" not in payload


async def _outbox(rt):
    return await outbox.recent(rt.db, None, 0, limit=50)


async def test_a_card_drawn_when_read_opens_its_full_view(rt, client):
    rt.settings.server.secret_key = "s" * 32
    rt.renderers = Renderers(rt.settings, rt.clock)  # rebuilt: the secret key changed
    await _enqueue(rt, "push:2", ChatRef("playground", "group:1", True, {}), HELP)
    while await rt.sender.run_once():
        pass
    data = await (await client.get("/playground/api/timeline?chat_id=group:1&skin=wecom")).json()
    [html] = [i["html"] for i in data["items"] if i["from"] == "bot"]
    link = urlsplit(re.search(r'(/v/[0-9a-f]{32}\?[^"\'<\s]+)', html).group(1).replace("&amp;", "&"))
    page = await client.get(f"{link.path}?{link.query}")
    text = norm(re.sub(r"<[^>]+>", " ", await page.text()))
    assert page.status == 200 and all(f in text for f in facts(HELP))
