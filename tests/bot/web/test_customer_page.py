"""The customer page GET /dash/customer/{id}: what the approver sees, signed, masked and escaped."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from bot.core.links import customer_link
from storage.models import Contact, Customer, Interaction, Opportunity
from tests.helpers import add_member


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _customer(rt, name: str = "华东医疗") -> tuple[int, int]:
    rep = await add_member(rt, "张三")
    now = rt.clock.now()
    async with rt.db.session() as s:
        customer = Customer(name=name, normalized_name=name, owner_id=rep, grade="A", industry="医疗")
        s.add(customer)
        await s.flush()
        s.add(Contact(customer_id=customer.id, name="王主任", title="设备科", mobile="13812345678"))
        s.add(Opportunity(customer_id=customer.id, owner_id=rep, stage="demo", stage_entered_at=now - timedelta(days=5),
                          created_at=now))
        s.add(Opportunity(customer_id=customer.id, owner_id=rep, stage="quote", status="lost", created_at=now))
        for i in range(25):
            s.add(Interaction(customer_id=customer.id, member_id=rep, kind="followup", note=f"第{i}次跟进",
                              at=now - timedelta(hours=25 - i)))
        await s.flush()
        return customer.id, rep


async def test_the_customer_page_shows_owner_grade_contacts_deals_and_the_last_20_interactions(client, rt):
    customer_id, _ = await _customer(rt)
    resp = await client.get(_path(customer_link(rt.settings, customer_id, rt.clock.now())))
    page = await resp.text()
    assert resp.status == 200 and "<h1>华东医疗</h1>" in page and "<b>张三</b>负责人" in page and "<b>A</b>" in page
    assert "王主任" in page and "138****5678" in page and "13812345678" not in page
    assert "方案演示" in page and "5 天" in page and page.count("<td>#") == 1  # the lost deal is not listed
    assert "第24次跟进" in page and "第0次跟进" in page  # one timeline, newest first
    assert page.index("第24次跟进") < page.index("第5次跟进")


async def test_the_customer_page_refuses_edited_expired_and_unknown_links(client, rt):
    customer_id, _ = await _customer(rt)
    good = _path(customer_link(rt.settings, customer_id, rt.clock.now()))
    edited = good.replace(f"/dash/customer/{customer_id}?", f"/dash/customer/{customer_id + 1}?")
    assert (await client.get(edited)).status == 403
    assert (await client.get(f"/dash/customer/{customer_id}")).status == 403
    assert (await client.get(_path(customer_link(rt.settings, 999, rt.clock.now())))).status == 404
    rt.clock.advance(timedelta(days=8))
    assert (await client.get(good)).status == 410


async def test_customer_names_are_escaped(client, rt):
    customer_id, _ = await _customer(rt, "<script>x</script>")
    page = await (await client.get(_path(customer_link(rt.settings, customer_id, rt.clock.now())))).text()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
