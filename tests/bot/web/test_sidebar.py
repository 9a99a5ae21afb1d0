"""The WeCom chat-toolbar sidebar: JS-SDK signatures (the documented vector), tickets cached and refreshed
against the fake, OAuth2 login, and the page in headless Chromium with a stubbed `wx` opening the deal."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.platforms.wecom.extras import jssdk
from bot.web.sidebar import session_token
from storage.models import Contact, Customer, Opportunity
from tests.bot.platforms.wecom import conftest as wecom
from tests.bot.platforms.wecom.conftest import deliver, rep
from tests.browser.chromium import CHROMIUM, SKIP, Browser
from tests.fakes.wecom import AGENT_ID, CORP_ID

fake, wrt, wclient = wecom.fake, wecom.wrt, wecom.wclient  # WeCom's fixtures (its conftest stops at its folder)

# developer.work.weixin.qq.com/document/path/90506 ("JS-SDK使用权限签名算法", 示例)
DOC_TICKET = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"


def test_signature_matches_the_documented_vector():
    assert jssdk.signature(DOC_TICKET, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value") \
        == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    # the part after # is not signed
    assert jssdk.signature("t", "n", 1, "https://a.test/p?x=1#frag") == jssdk.signature("t", "n", 1, "https://a.test/p?x=1")


async def test_tickets_are_cached_and_refreshed_before_they_expire(wrt, fake, clock):
    tickets = jssdk.JsTickets(wrt.apis["wecom"])
    first = await tickets.config("https://bot.test/wecom/sidebar?code=c", 1700000000, "nonce1")
    await tickets.config("https://bot.test/wecom/sidebar?code=c", 1700000001, "nonce2")
    assert fake.ticket_calls == {"corp": 1, "agent": 1}
    assert first["config"]["signature"] == jssdk.signature("corp-ticket-1", "nonce1", 1700000000,
                                                           "https://bot.test/wecom/sidebar?code=c")
    assert first["agentConfig"]["signature"] == jssdk.signature("agent-ticket-1", "nonce1", 1700000000,
                                                                "https://bot.test/wecom/sidebar?code=c")
    assert first["agentConfig"]["agentid"] == AGENT_ID and first["config"]["appId"] == CORP_ID
    clock.advance(timedelta(seconds=7200 - 299))
    await tickets.config("https://bot.test/x", 1700007000, "n3")
    assert fake.ticket_calls == {"corp": 2, "agent": 2}


async def test_oauth2_redirects_then_logs_the_member_in(wclient, wrt, fake):
    await rep(wrt)
    away = await wclient.get("/wecom/sidebar", allow_redirects=False)
    target = urlsplit(away.headers["Location"])
    query = parse_qs(target.query)
    assert away.status == 302 and target.netloc == "open.weixin.qq.com" and query["appid"] == [CORP_ID]
    assert query["scope"] == ["snsapi_base"] and query["agentid"] == [str(AGENT_ID)]
    assert query["redirect_uri"][0].endswith("/wecom/sidebar") and target.fragment == "wechat_redirect"
    fake.oauth_codes["code1"] = "lina"
    page = await wclient.get("/wecom/sidebar?code=code1&state=sb")
    assert page.status == 200 and "李娜" in await page.text() and 'name="viewport"' in await page.text()
    spent = await wclient.get("/wecom/sidebar?code=code1")  # a code works once: a friendly page says so
    assert spent.status == 403 and "再打开一次" in await spent.text()
    fake.oauth_codes["code9"] = "stranger"
    unknown = await wclient.get("/wecom/sidebar?code=code9")
    assert unknown.status == 403 and "sync members" in await unknown.text()


async def _deal(wrt, owner: int) -> None:
    async with wrt.db.session() as s:
        customer = Customer(name="华东医疗", normalized_name="华东医疗", owner_id=owner)
        s.add(customer)
        await s.flush()
        s.add(Contact(customer_id=customer.id, name="张主任", wecom_external_userid="wmEXT1"))
        s.add(Opportunity(customer_id=customer.id, owner_id=owner, stage="needs", stage_entered_at=wrt.clock.now(),
                          need="影像设备"))


WX_STUB = """
(() => {
  const calls = [];
  const stub = {
    calls,
    config: (c) => calls.push(["config", c]),
    ready: (cb) => setTimeout(cb, 0),
    agentConfig: (c) => { calls.push(["agentConfig", c]); setTimeout(() => c.success({}), 0); },
    invoke: (name, args, cb) => {
      calls.push(["invoke", name]);
      setTimeout(() => cb(name === "getCurExternalChat" ? {err_msg: name + ":ok", chatId: "wrOgQ"}
                                                        : {err_msg: name + ":fail"}), 0);
    },
  };
  Object.defineProperty(window, "wx", {value: stub, writable: false});
})();
"""


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP)
async def test_the_sidebar_in_a_customer_group_opens_the_deal_and_acts_in_one_tap(wclient, wrt, fake):
    owner = await rep(wrt)
    await _deal(wrt, owner)
    fake.groups["wrOgQ"] = [{"userid": "lina", "type": 1}, {"userid": "wmEXT1", "type": 2}]
    fake.oauth_codes["code2"] = "lina"
    url = str(wclient.make_url("/wecom/sidebar?code=code2&state=sb"))
    async with Browser(375, 667) as page:
        await page.before_load(WX_STUB)
        await page.open(url)
        await page.wait_for("document.getElementById('title').textContent === '华东医疗'")
        calls = await page.evaluate("wx.calls")
        config = next(c for k, c in calls if k == "config")
        assert config["signature"] == jssdk.signature("corp-ticket-1", config["nonceStr"], config["timestamp"], url)
        assert ["invoke", "getCurExternalChat"] in calls
        labels = await page.evaluate("[...document.querySelectorAll('#actions button')].map(b => b.textContent)")
        assert any("推进" in x for x in labels) and any("凭证" in x for x in labels)
        assert any(x.startswith("攻坚：") for x in labels)
        await page.evaluate("[...document.querySelectorAll('#actions button')].find(b => b.textContent"
                            ".includes('推进')).click()")
        await page.wait_for("document.getElementById('msg').textContent.includes('已处理')")
    await deliver(wrt)
    sent = [m for m in fake.messages if m.get("touser") == "lina"]
    assert sent and "华东医疗" in str(sent[-1])  # the answer reached the rep's app chat, naming the customer


async def test_the_session_token_is_bound_to_the_member(wclient, wrt):
    token = session_token(wrt.settings.server.secret_key, 1, "lina", wrt.clock.now().timestamp())
    forged = token.replace("1.lina", "2.lina", 1)
    resp = await wclient.get(f"/wecom/sidebar/deal?t={forged}&contact=wmEXT1")
    assert resp.status == 401
