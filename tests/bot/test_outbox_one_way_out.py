"""The one way out: a WeCom message's reply, an intake lead's card and a scheduled push all reach WeCom (the fake)
through the same call, RenderingOutbox.send_many — the only code that writes a message into the outbox."""

from __future__ import annotations

import json

from bot.outbox import RenderingOutbox
from scheduler.core import run_job
from storage.repos import members
from tests.bot.platforms.wecom import conftest as wecom
from tests.bot.platforms.wecom.conftest import app_request, deliver, text_xml
from tests.scheduler.push_helpers import build_org

fake, wrt, wclient = wecom.fake, wecom.wrt, wecom.wclient  # WeCom's fixtures (its conftest stops at its folder)

TOKEN = "web-token-0123456789"


async def test_a_reply_a_lead_card_and_a_push_leave_through_one_outbox_call(wclient, wrt, fake, monkeypatch):
    queued: list[str] = []
    send_many = RenderingOutbox.send_many

    async def spy(self, items, **kwargs):
        queued.extend(o.key for o in items)
        return await send_many(self, items, **kwargs)

    monkeypatch.setattr(RenderingOutbox, "send_many", spy)
    org = await build_org(wrt)
    async with wrt.db.session() as s:
        await members.link_identity(s, org.rep, "wecom", "lina")
        await members.link_identity(s, org.other, "wecom", "wangqiang")
    ts = int(wrt.clock.now().timestamp())

    path, body = app_request(text_xml("lina", "帮助", 7300000000000000009, ts), ts)  # a WeCom message
    assert (await wclient.post(path, data=body)).status == 200
    await deliver(wrt)
    assert [k for k in queued if k.startswith("reply:wecom:")] and len(fake.messages) == 1

    wrt.settings.intake.channels = {"web_form": {"token": TOKEN, "default_source": "官网"}}  # an intake lead
    lead = {"姓名": "张伟", "手机号": "13800138000", "公司": "华东医疗有限公司"}
    resp = await wclient.post("/intake/web_form", data=json.dumps(lead, ensure_ascii=False).encode(),
                              headers={"Content-Type": "application/json", "X-Intake-Token": TOKEN})
    assert resp.status == 201
    await deliver(wrt)
    assert [k for k in queued if k.startswith("lead_card:")] and len(fake.messages) == 2

    assert (await run_job(wrt, "must_do")).error == ""  # a scheduled push
    await deliver(wrt)
    assert [k for k in queued if k.startswith("must_do:")]
    pushed = fake.messages[2:]
    assert pushed and {m["touser"] for m in pushed} <= {"lina", "wangqiang"}
    titles = [json.dumps(m, ensure_ascii=False) for m in fake.messages]
    assert "新线索：华东医疗" in titles[1] and "今日必做" in "".join(titles[2:])  # WeCom cuts card titles

