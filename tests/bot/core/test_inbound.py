"""The typed payloads handlers receive, read out of stored Events (bot/core/inbound.py)."""

from __future__ import annotations

from bot.core.actions import ShowLead
from bot.core.events import ChatRef, Event
from bot.core.facts import ApprovalDecided
from bot.core.inbound import Attachment, CardClick, ContactChanged, GroupChanged, MediaReceived, Message
from bot.core.lead_submitted import LeadSubmitted
from bot.core.routing import Router, RouteTable

CHAT = ChatRef("wecom", "c1", True)


def _event(kind: str = "platform", text: str = "", **raw) -> Event:
    return Event("wecom", kind, "k1", "u1", CHAT, text, raw=raw)


def test_attachments_keep_the_valid_items_and_explain_the_rest():
    items = [{"kind": "image", "platform_id": "m1", "name": "a.png"}, {"kind": "file", "platform_id": "f1"},
             {"kind": "voice", "platform_id": "v1"}, {"kind": "image", "platform_id": ""}, "junk"]
    media = MediaReceived.of(_event(attachments=items))
    assert media is not None
    assert media.attachments == (Attachment("image", "m1", "a.png"), Attachment("file", "f1", ""))
    assert [p[:4] for p in media.problems] == ["第3个附", "第4个附", "第5个附"]
    assert MediaReceived.of(_event()) is None
    broken = MediaReceived.of(_event(attachments="x"))
    assert broken is not None and broken.attachments == () and broken.problems[0].startswith("附件格式不对")


def test_a_message_carries_the_command_arguments_and_its_attachments():
    event = _event("message", "凭证 报价截图", attachments=[{"kind": "image", "platform_id": "m1"}])
    msg = Message.of(event, "报价截图")
    assert (msg.text, msg.actor, msg.chat, msg.platform) == ("报价截图", "u1", CHAT, "wecom")
    assert msg.attachments == (Attachment("image", "m1", ""),)
    assert Message.of(event).text == "凭证 报价截图"


def test_a_click_carries_its_action_and_the_typed_form_text():
    event = Event("feishu", "card_action", "k2", "u2", CHAT, "客户说下周", ShowLead(lead_id=7))
    click = CardClick.of(event, ShowLead(lead_id=7))
    assert click.action.lead_id == 7 and click.text == "客户说下周" and click.actor == "u2"


def test_contact_and_group_changes_are_read_or_refused():
    contact = ContactChanged.of(_event(customer_contact={"change": "add_external_contact", "external_id": "wm1",
                                                         "member": "zhang", "at": 1700000000}))
    assert contact is not None and (contact.change, contact.external_id, contact.at) == (
        "add_external_contact", "wm1", 1700000000)
    assert ContactChanged.of(_event(customer_contact={"change": "add_external_contact"})) is None
    assert ContactChanged.of(_event(customer_contact="x")) is None
    assert ContactChanged.of(_event(customer_contact={"external_id": "wm1", "at": True})).at is None
    group = GroupChanged.of(_event(customer_group={"chat_id": "g1", "change": "update", "detail": "add_member",
                                                   "members": ["wm1", 2]}))
    assert group is not None and group.members == ("wm1", "2") and group.group == "g1"
    assert GroupChanged.of(_event()) is None


def test_approval_and_lead_payloads_answer_only_for_their_kind():
    decided = ApprovalDecided.of(Event("dingtalk", "approval", "k3", "boss", CHAT,
                                       raw=ApprovalDecided("inst1", "approved", "ok").to_raw()))
    assert decided is not None and (decided.approval_id, decided.platform, decided.actor) == ("inst1", "dingtalk",
                                                                                             "boss")
    assert ApprovalDecided.of(Event("dingtalk", "approval", "k4", raw={"approval_id": "x", "result": "maybe"})) is None
    sub = LeadSubmitted(channel="web", key="w1", company="华东医疗")
    assert LeadSubmitted.of(Event("intake", "lead", "w1", raw=sub.to_raw())) == sub
    assert LeadSubmitted.of(_event()) is None


def test_the_table_wants_only_platform_events_some_payload_can_be_read_from():
    router = Router("t")

    @router.on(ContactChanged)
    async def changed(change: ContactChanged, ctx) -> None:
        return None

    table = RouteTable([router], lambda feature: True)
    assert table.wanted(_event(customer_contact={"external_id": "wm1"}))
    assert not table.wanted(_event(customer_group={"chat_id": "g1"}))
    assert table.wanted(_event("message", "午饭"))
    assert table.for_kind("platform") == [(ContactChanged, changed)]
