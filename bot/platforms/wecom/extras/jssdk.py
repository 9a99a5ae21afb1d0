"""WeCom JS-SDK for pages opened inside WeCom (the chat-toolbar sidebar): tickets, signatures, OAuth2 login.

- `wx.config` is signed with the corp jsapi_ticket (GET /cgi-bin/get_jsapi_ticket), `wx.agentConfig` with the
  app's ticket (GET /cgi-bin/ticket/get?type=agent_config); both last 7200 s and are rate-limited (400 an hour
  per corp), so each is cached per app and replaced 5 minutes before it expires (developer.work.weixin.qq.com
  /document/path/90506).
- signature = sha1("jsapi_ticket=T&noncestr=N&timestamp=TS&url=URL"), the URL without "#…", raw (unescaped).
- OAuth2: the sidebar redirects to open.weixin.qq.com/connect/oauth2/authorize (scope snsapi_base) and reads
  the userid for the returned code with GET /cgi-bin/auth/getuserinfo (codes are single-use, 5 minutes).
- A customer group's customer: POST /cgi-bin/externalcontact/groupchat/get lists its members; external members
  (type 2) are matched to our contacts by external userid.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import quote

from bot.platforms.wecom.extras.client import REFRESH_EARLY, WecomClient

AUTHORIZE = "https://open.weixin.qq.com/connect/oauth2/authorize"
_KINDS = {"corp": ("get_jsapi_ticket", {}), "agent": ("ticket/get", {"type": "agent_config"})}


def signature(ticket: str, nonce: str, timestamp: int | str, url: str) -> str:
    """The JS-SDK signature of a page URL (anything after # is not signed)."""
    page = url.split("#", 1)[0]
    return hashlib.sha1(f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={page}".encode()).hexdigest()


def authorize_url(corp_id: str, agent_id: int | str, redirect: str, state: str) -> str:
    """Where the sidebar sends a person without a login: WeCom answers with ?code=…&state=… on `redirect`."""
    return (f"{AUTHORIZE}?appid={corp_id}&redirect_uri={quote(redirect, safe='')}&response_type=code"
            f"&scope=snsapi_base&state={quote(state, safe='')}&agentid={agent_id}#wechat_redirect")


class JsTickets:
    """The corp and agent jsapi_tickets of one app, cached until 5 minutes before they expire."""

    def __init__(self, client: WecomClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[str, float]] = {}

    async def ticket(self, kind: str, refresh: bool = False) -> str:
        """Return the "corp" or "agent" ticket, fetching it when missing, near expiry or on `refresh`."""
        cached = self._cache.get(kind)
        now = self.client._mono()
        if cached and not refresh and now < cached[1]:
            return cached[0]
        path, params = _KINDS[kind]
        data = await self.client.get(path, params)
        ttl = max(int(data.get("expires_in") or 7200) - REFRESH_EARLY, 60)
        self._cache[kind] = (str(data["ticket"]), now + ttl)
        return self._cache[kind][0]

    async def config(self, url: str, timestamp: int, nonce: str = "") -> dict[str, Any]:
        """The values wx.config and wx.agentConfig need for a page URL."""
        nonce = nonce or secrets.token_hex(8)
        cfg = self.client.cfg
        corp, agent = await self.ticket("corp"), await self.ticket("agent")
        return {"config": {"appId": cfg.corp_id, "timestamp": timestamp, "nonceStr": nonce,
                           "signature": signature(corp, nonce, timestamp, url)},
                "agentConfig": {"corpid": cfg.corp_id, "agentid": cfg.agent_id, "timestamp": timestamp,
                                "nonceStr": nonce, "signature": signature(agent, nonce, timestamp, url)}}


async def user_by_code(client: WecomClient, code: str) -> str:
    """The member's userid for an OAuth2 code ("" for a person outside the corp)."""
    data = await client.get("auth/getuserinfo", {"code": code})
    return str(data.get("userid") or data.get("UserId") or "")


async def group_externals(client: WecomClient, chat_id: str) -> list[str]:
    """The external userids (customers' people) in a customer group."""
    data = await client.call("externalcontact/groupchat/get", {"chat_id": chat_id, "need_name": 0})
    members = ((data.get("group_chat") or {}).get("member_list") or []) if not data.get("errcode") else []
    return [str(m["userid"]) for m in members if m.get("type") == 2 and m.get("userid")]
