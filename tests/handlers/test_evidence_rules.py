"""Evidence that is evidence: each item accepts what its rule says; `凭证 好` satisfies nothing and says why."""

from __future__ import annotations

from sales import evidence_rules
from sales.stages import parse_stage
from tests.handlers.opp_helpers import Chat, missing
from tests.helpers import add_member


async def test_a_one_word_note_is_refused_with_what_is_needed(client, rt):
    rep = await add_member(rt, "李娜")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 华东医疗")
    (refused,) = await chat.say(rep, "凭证 好")
    assert refused["title"] == "这还不算“会议纪要”"
    assert "链接、文件或图片，或至少 20 字的说明" in refused["sections"][0]["text"]
    (card,) = await chat.say(rep, "推进")
    assert card["title"].startswith("还不能推进")
    (card,) = await chat.say(rep, "凭证 会议纪要 客户确认三个需求：影像、存储、运维，预算五十万，下周二演示")
    assert missing(card) == []
    await chat.say(rep, "推进")
    (refused,) = await chat.say(rep, "凭证 演示视频或链接 演示得很顺利客户非常满意，下周报价")
    assert "链接，或文件或图片" in refused["sections"][0]["text"]  # a note never counts for a video item
    image = {"kind": "image", "platform_id": "media-1", "name": "演示截图.png"}
    (card,) = await chat.send_event(chat.attachment(rep, [image]))
    assert card["title"] == "已记下演示视频或链接：华东医疗"


def test_rules_parse_and_stage_config_checks_them():
    assert evidence_rules.parse("note:5").accepts("note", "一二三四五") is True
    assert evidence_rules.parse("file").accepts("note", "https://x.example.com") is False
    assert "not link, file or note:N" in evidence_rules.parse("video")
    good = parse_stage({"key": "s", "name": "摸底", "evidence": ["纪要"], "accepts": {"纪要": "note:30"}}, 0)
    assert good.rule("纪要").note_chars == 30
    assert "not one of its evidence items" in parse_stage(
        {"key": "s", "name": "摸底", "evidence": ["纪要"], "accepts": {"合同": "file"}}, 0)
    bad = {"key": "s", "name": "摸底", "evidence": ["纪要"], "accepts": {"纪要": "x"}}
    assert "accepts.纪要" in parse_stage(bad, 0)
