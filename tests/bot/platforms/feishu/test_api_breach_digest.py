"""On Feishu the manager's breach digest of a day is one message: the first scan creates it, later ones PATCH it."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.core.events import ChatRef
from cards.views import notice_card
from scheduler.core import run_job
from storage.repos import members
from tests.handlers.lead_helpers import new_lead


async def _member(rt, name: str, open_id: str, role: str = "rep") -> None:
    async with rt.db.session() as s:
        await members.upsert(s, name, {"role": role}, "华东大客户部", {"feishu": open_id})
        if role == "rep":
            await members.set_manager(s, name, "主管老周")


async def _deliver(rt) -> None:
    while await rt.sender.run_once():
        pass


async def test_later_breaches_patch_the_days_digest_message(frt, fake):
    rt = frt
    await _member(rt, "主管老周", "ou_boss", "manager")
    await _member(rt, "甲", "ou_rep")
    rt.settings.leads.accept_minutes = 24 * 60
    await new_lead(rt, "13800138000", "客户甲")
    rt.clock.advance(timedelta(minutes=30))
    await new_lead(rt, "13800138001", "客户乙")
    rt.clock.advance(timedelta(hours=3, minutes=30))
    await run_job(rt, "sla_scan")
    await _deliver(rt)
    rt.clock.advance(timedelta(minutes=30))
    await run_job(rt, "sla_scan")
    await _deliver(rt)
    (created,) = [m for m in fake.messages if m.get("receive_id") == "ou_boss"]
    (patched,) = [m for m in fake.messages if m["op"] == "patch"]
    assert patched["message_id"] == created["message_id"]
    text = json.dumps(json.loads(patched["body"]["content"]), ensure_ascii=False)
    assert "2 条线索" in text and "客户甲" in text and "客户乙" in text
    assert "客户乙" not in json.dumps(json.loads(created["body"]["content"]), ensure_ascii=False)


async def test_an_update_whose_first_card_was_never_sent_arrives_as_a_new_card(frt, fake):
    rt = frt
    await _member(rt, "主管老周", "ou_boss", "manager")
    api = rt.apis["feishu"]
    chat = ChatRef("feishu", "dm:ou_boss")
    payload = rt.renderers.render(chat, notice_card("超时未跟进：2 条线索", "两条"), "",
                                  {"card_ref": "sla_breach:20261127:1", "update": True, "idempotency_key": "k1"})
    await api.send("dm:ou_boss", payload)
    await api.send("dm:ou_boss", dict(payload, uuid="sb-other"))
    assert [m["op"] for m in fake.messages] == ["create", "patch"]
