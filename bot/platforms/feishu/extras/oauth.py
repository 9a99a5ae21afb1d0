"""Feishu web-app login: the `code` → a user access token (authen/v1/oidc/access_token) → the user's open_id.

The code exchange is authorised with the app's app_access_token; user_info with the user access token.
"""

from __future__ import annotations

import aiohttp

from bot.core.errors import DeliveryError

APP_TOKEN = "/open-apis/auth/v3/app_access_token/internal"


async def _json(http: aiohttp.ClientSession, method: str, url: str, token: str = "", body: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, url, json=body, headers=headers) as resp:
        data = await resp.json(content_type=None)
    return data if isinstance(data, dict) else {}


async def user_from_code(api, code: str) -> str:
    """Return the Feishu open_id the login code belongs to; raise DeliveryError when Feishu refuses it."""
    base, cfg = api.base, api.cfg
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        app = await _json(http, "POST", base + APP_TOKEN, body={"app_id": cfg.app_id, "app_secret": cfg.app_secret})
        grant = await _json(http, "POST", base + "/open-apis/authen/v1/oidc/access_token", app.get("app_access_token",
                            ""), {"grant_type": "authorization_code", "code": code})
        user_token = (grant.get("data") or {}).get("access_token", "")
        info = await _json(http, "GET", base + "/open-apis/authen/v1/user_info", user_token) if user_token else {}
    open_id = (info.get("data") or {}).get("open_id")
    if not open_id:
        raise DeliveryError(f"Feishu refused the login code: {grant.get('code')} {grant.get('msg', '')}"[:200])
    return str(open_id)
