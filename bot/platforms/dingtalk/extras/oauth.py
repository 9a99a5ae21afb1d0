"""DingTalk in-app login (免登): the `authCode` from the workbench page → the member's userid.

The app access token of the new API also works for the old host's topapi/v2/user/getuserinfo.
"""

from __future__ import annotations

from bot.core.errors import DeliveryError


async def user_from_code(api, code: str) -> str:
    """Return the DingTalk userid the auth code belongs to; raise DeliveryError when DingTalk refuses it."""
    token = await api.access_token()
    url = f"{api.cfg.oapi_base}/topapi/v2/user/getuserinfo?access_token={token}"
    data = await api.request("POST", url, {"code": code})
    user = (data.get("result") or {}).get("userid") if not data.get("errcode") else None
    if not user:
        raise DeliveryError(f"DingTalk refused the login code: {data.get('errcode')} {data.get('errmsg', '')}"[:200])
    return str(user)
