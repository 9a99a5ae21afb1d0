"""App card clicks (update_template_card, fallback), customer-contact events, webhook pushes and rate limits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.core.actions import AcceptLead
from bot.core.events import ChatRef
from cards.views import notice_card
from storage.models import Contact, Customer, InboxEvent, Interaction, Lead
from tests.bot.platforms.wecom.conftest import app_request, deliver, event_xml, rep


def _ts(rt) -> int:
    return int(rt.clock.now().timestamp())


async def _lead(rt, owner_id: int, external: str = "wmCustomer1") -> int:
    async with rt.db.session() as s:
        customer = Customer(name="华东医疗", normalized_name="华东医疗")
        s.add(customer)
        await s.flush()
        s.add(Contact(customer_id=customer.id, name="王总", wecom_external_userid=external))
        lead = Lead(channel="expo", customer_id=customer.id, owner_id=owner_id, status="assigned",
                    received_at=rt.clock.now(), assigned_at=rt.clock.now(),
                    first_response_due_at=rt.clock.now() + timedelta(hours=4))
        s.add(lead)
        await s.flush()
        return lead.id


async def _click(wclient, rt, lead_id: int, code: str, task_id: str = "sb_task1"):
    plain = event_xml("lina", "template_card_event", _ts(rt), EventKey=AcceptLead(lead_id=lead_id).pack(),
                      TaskId=task_id, CardType="button_interaction", ResponseCode=code)
    path, body = app_request(plain, _ts(rt))
    return await wclient.post(path, data=body)


async def test_a_click_updates_the_card_with_the_callbacks_response_code(wclient, wrt, fake):
    lead_id = await _lead(wrt, await rep(wrt))
    resp = await _click(wclient, wrt, lead_id, fake.issue_code("click-code-1"))
    assert resp.status == 200
    await deliver(wrt)
    [update] = fake.updates
    assert update["response_code"] == "click-code-1" and update["userids"] == ["lina"]
    assert update["template_card"]["main_title"]["title"].startswith("已接单")
    assert fake.messages == []


async def test_a_spent_or_expired_code_falls_back_to_a_new_card(wclient, wrt, fake):
    lead_id = await _lead(wrt, await rep(wrt))
    code = fake.issue_code("click-code-2", ttl=60)
    wrt.clock.advance(timedelta(seconds=120))  # WeCom has let the code expire
    await _click(wclient, wrt, lead_id, code)
    await deliver(wrt)
    assert fake.updates == []
    [card] = fake.cards()
    assert card["main_title"]["title"].startswith("已接单") and card["task_id"] != "sb_task1"


async def test_the_same_click_twice_has_one_effect(wclient, wrt, fake):
    lead_id = await _lead(wrt, await rep(wrt))
    code = fake.issue_code("click-code-3")
    for _ in range(3):
        assert (await _click(wclient, wrt, lead_id, code)).status == 200
    await deliver(wrt)
    assert len(fake.updates) == 1 and fake.messages == []


async def test_adding_the_customers_contact_is_a_first_response(wclient, wrt):
    member_id = await rep(wrt)
    lead_id = await _lead(wrt, member_id)
    plain = event_xml("sys", "change_external_contact", _ts(wrt), ChangeType="add_external_contact",
                      UserID="lina", ExternalUserID="wmCustomer1", WelcomeCode="wc")
    path, body = app_request(plain, _ts(wrt))
    assert (await wclient.post(path, data=body)).status == 200
    await deliver(wrt)
    async with wrt.db.session() as s:
        [touch] = (await s.execute(select(Interaction))).scalars()
        lead = await s.get(Lead, lead_id)
    assert (touch.kind, touch.member_id) == ("im_contact_added", member_id)
    assert lead.first_response_at is not None


async def test_distinct_events_in_the_same_second_are_kept_apart(wclient, wrt):
    ts = _ts(wrt)
    for external in ("wmA", "wmB", "wmA"):  # the third is WeCom's retry of the first
        plain = event_xml("sys", "change_external_contact", ts, ChangeType="add_external_contact", UserID="lina",
                          ExternalUserID=external)
        path, body = app_request(plain, ts)
        assert (await wclient.post(path, data=body)).status == 200
    group = ("<MemChangeList><Item>wmA</Item><Item>wmB</Item></MemChangeList>")
    for detail in ("add_member", "del_member"):
        plain = event_xml("sys", "change_external_chat", ts, ChatId="wrCustomerGroup", ChangeType="update",
                          UpdateDetail=detail).replace("<AgentID>", group + "<AgentID>")
        path, body = app_request(plain, ts)
        assert (await wclient.post(path, data=body)).status == 200
    await deliver(wrt)
    async with wrt.db.session() as s:
        rows = (await s.execute(select(func.count()).select_from(InboxEvent))).scalar_one()
    assert rows == 4


async def _queue(rt, chat: ChatRef, count: int, prefix: str) -> None:
    async with rt.db.session() as s:
        ctx = await rt.context(s)
        for i in range(count):
            await ctx.outbox.send(chat, notice_card(f"推送 {i}", "内容"), f"{prefix}:{i}")


async def test_webhook_push_reaches_the_team_group_as_markdown(wrt, fake):
    await _queue(wrt, ChatRef("wecom", "webhook:east", True), 1, "team")
    await deliver(wrt)
    [push] = fake.webhooks
    assert push["msgtype"] == "markdown" and "### 推送 0" in push["markdown"]["content"]


async def test_rate_limits_hold_under_a_burst_and_nothing_is_lost(wrt, fake):
    await _queue(wrt, ChatRef("wecom", "dm:lina", False), 45, "burst-dm")
    await _queue(wrt, ChatRef("wecom", "webhook:east", True), 45, "burst-hook")
    minutes = 0
    wrt.sender.rate_clock = wrt.clock  # the caps count on the test's clock
    while len(fake.messages) < 45 or len(fake.webhooks) < 45:
        await deliver(wrt)  # WeCom's caps: 30 a minute per member, 20 a minute per webhook
        assert len(fake.messages) <= 30 * (minutes + 1) and len(fake.webhooks) <= 20 * (minutes + 1)
        wrt.clock.advance(timedelta(seconds=62))
        minutes += 1
        assert minutes < 10, "the burst never drained"
    assert fake.dropped == 0 and len(fake.messages) == 45 and len(fake.webhooks) == 45
