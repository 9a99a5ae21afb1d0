"""Images and files sent as evidence queue a download and answer with a signed link to the original;
the opportunity card names the attack scenarios as commands, and `攻坚 <场景>` opens the strategies."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from storage.models import EvidenceMedia
from tests.handlers.opp_helpers import Chat, section
from tests.helpers import add_member


async def test_an_attachment_is_queued_for_download_and_linked_on_the_answer(client, rt):
    rep = await add_member(rt, "唐宁")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 蓝海医疗")
    [card] = await chat.send_event(chat.attachment(rep, [{"kind": "file", "platform_id": "f-9", "name": "纪要.docx"}]))
    async with rt.db.session() as s:
        row = (await s.execute(select(EvidenceMedia))).scalar_one()
    assert (row.platform, row.ref, row.status) == ("playground", "f-9", "pending")
    [line] = section(card, "附件原件（点开查看）")["items"]
    assert line.startswith(f"纪要.docx：http://127.0.0.1:8080/dash/evidence/{row.evidence_id}?exp=")
    url = urlsplit(line.split("：", 1)[1])
    page = await (await client.get(f"{url.path}?{url.query}")).text()
    assert "原件还在演练场的聊天记录里" in page


async def test_notes_and_links_get_no_download(client, rt):
    rep = await add_member(rt, "唐宁")
    chat = Chat(client, rt)
    await chat.say(rep, "新建商机 蓝海医疗")
    [card] = await chat.say(rep, "凭证 会议纪要 https://docs.example.com/1")
    assert section(card, "附件原件（点开查看）") is None
    async with rt.db.session() as s:
        assert (await s.execute(select(EvidenceMedia))).first() is None


async def test_the_card_offers_attack_scenarios_as_commands_that_open_strategies(client, rt):
    rep = await add_member(rt, "唐宁")
    chat = Chat(client, rt)
    [card] = await chat.say(rep, "新建商机 蓝海医疗")
    hint = section(card, "遇到难题？")["text"]
    assert [b["label"] for b in card["buttons"]] == ["补凭证", "推进到下一阶段"]  # the next step stays first
    for command in ("攻坚 预算不足", "攻坚 竞品", "攻坚 决策链", "攻坚 不回复", "攻坚 降价"):
        assert command in hint
        [answer] = await chat.say(rep, command)
        assert answer["subtitle"].startswith("选策略") and len(answer["buttons"]) == 3
