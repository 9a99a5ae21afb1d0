"""Evidence from chat: links, notes, and images/files per the attachments contract on every platform."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.events import ChatRef, Event
from handlers.evidence import pick_kind
from storage.models import Evidence
from storage.repos import members, outbox
from tests.handlers.opp_helpers import Chat, missing, section
from tests.helpers import add_member

PLATFORMS = ["playground", "wecom", "dingtalk", "feishu"]


def test_pick_kind_names_the_item_or_takes_the_first_missing():
    required = ("会议纪要", "组织架构")
    assert pick_kind("组织架构 见图", required, ["会议纪要", "组织架构"]) == ("组织架构", "见图")
    assert pick_kind("周一的纪要", required, ["组织架构"]) == ("组织架构", "周一的纪要")
    assert pick_kind("补一张图", required, []) == ("补充材料", "补一张图")


class _StubRenderer:
    def render(self, chat, card, text, extra):
        return {"card": card.to_dict() if card else None, "text": text}


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_images_and_files_become_evidence_on_every_platform(rt, monkeypatch, platform):
    monkeypatch.setitem(rt.renderers.by_name, platform, _StubRenderer())
    rep = await add_member(rt, "唐宁")
    async with rt.db.session() as s:
        await members.link_identity(s, rep, platform, f"u-{platform}")
    chat = ChatRef(platform, "deal-room-1", True, {"skin": "wecom"})

    def ev(key: str, text: str, kind: str = "message", raw: dict | None = None) -> Event:
        return Event(platform, kind, key, f"u-{platform}", chat, text, raw=raw or {})

    file = {"kind": "file", "platform_id": f"{platform}-file-9", "name": "纪要.docx"}
    image = {"kind": "image", "platform_id": f"{platform}-img-1", "name": ""}
    for event in (ev("m1", "新建商机 蓝海医疗"), ev("m2", "", "platform", {"attachments": [file]}),
                  ev("m3", "凭证 白板照片", raw={"attachments": [image]})):
        await rt.dispatcher.ingest(event)
        await rt.dispatcher.drain()  # one after another, as a person sends them
    rows = await outbox.recent(rt.db, platform, target="deal-room-1")
    cards = [r.payload["card"] for r in rows]
    assert [c["title"] for c in cards] == ["新商机：蓝海医疗", "已记下会议纪要：蓝海医疗", "已记下补充材料：蓝海医疗"]
    assert missing(cards[1]) == []
    lines = section(cards[2], "已交凭证")["items"]
    assert lines[0].startswith("会议纪要：[文件] 文件 纪要.docx — 唐宁 ")
    assert lines[1].startswith("补充材料：[图片] 白板照片 — 唐宁 ")
    async with rt.db.session() as s:
        stored = list((await s.execute(select(Evidence).order_by(Evidence.id))).scalars())
    assert [(e.media_kind, e.media_platform, e.media_ref, e.member_id) for e in stored] == [
        ("file", platform, f"{platform}-file-9", rep), ("image", platform, f"{platform}-img-1", rep)]


async def test_platform_events_without_attachments_are_left_alone(client, rt):
    rep = await add_member(rt, "孙丽")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 北辰制造")
    assert await chat.send_event(Event("playground", "platform", "chatter", str(rep),
                                       ChatRef("playground", "group:1", True), "大家好", raw={"text": "大家好"})) == []


async def test_bad_attachments_are_answered_never_dropped(client, rt):
    rep = await add_member(rt, "冯伟")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 北辰制造")
    (card,) = await chat.send_event(chat.attachment(rep, [{"kind": "voice", "platform_id": "v1"}]))
    assert card["title"] == "凭证写什么？" and card["sections"][0]["items"][0].startswith("第1个附件")
    good = {"kind": "image", "platform_id": "ok-1", "name": "纪要.jpg"}
    (card,) = await chat.send_event(chat.attachment(rep, [good, {"kind": "voice", "platform_id": "v2"}]))
    assert card["title"] == "已记下会议纪要：北辰制造"
    assert section(card, "没收下的附件")["items"][0].startswith("第2个附件")


async def test_attachments_from_unknown_people_are_answered(client, rt):
    await add_member(rt, "某人")
    chat = Chat(client, rt)
    (card,) = await chat.send_event(chat.attachment(999, [{"kind": "image", "platform_id": "x"}]))
    assert card["title"] == "还不认识你"


async def test_evidence_without_words_asks_what_to_write(client, rt):
    rep = await add_member(rt, "陈晨")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 北辰制造")
    (card,) = await chat.say(rep, "凭证")
    assert card["title"] == "凭证写什么？"
    (card,) = await chat.say(rep, "凭证 会议纪要")
    assert card["title"] == "凭证写什么？"
    (card,) = await chat.click(rep, next(b["value"] for b in (await chat.say(rep, "卡在哪"))[0]["buttons"]
                                         if b["label"] == "补凭证"))
    assert card["title"] == "怎么补凭证" and card["sections"][0]["items"] == ["还缺：会议纪要"]
