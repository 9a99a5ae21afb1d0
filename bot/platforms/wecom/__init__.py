"""WeCom (企业微信): callback crypto (WXBizMsgCrypt), inbound adapter, outbound API and card rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.platforms.wecom.api import WecomAPI
    from bot.runtime import Runtime


def build_api(rt: Runtime) -> WecomAPI:
    """Create the app/robot/webhook client (called when [wecom] is enabled)."""
    from bot.platforms.wecom.api import build_api as build

    return build(rt.settings, rt.db, rt.clock)
