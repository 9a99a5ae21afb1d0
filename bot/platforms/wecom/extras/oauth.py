"""WeCom web login: the OAuth `code` a workbench page receives → the member's WeCom userid (auth/getuserinfo)."""

from __future__ import annotations

from bot.core.errors import DeliveryError


async def user_from_code(api, code: str) -> str:
    """Return the WeCom userid the code belongs to; raise DeliveryError when WeCom refuses it."""
    data = await api.get("auth/getuserinfo", {"code": code})
    user = data.get("userid") or data.get("UserId")
    if not user:
        raise DeliveryError("WeCom gave no userid for this code (an outside contact, or the code was used)")
    return str(user)
