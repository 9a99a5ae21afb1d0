"""Feishu (飞书) adapter: event webhook, card callbacks, cards JSON 2.0 and the open-platform API client."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.platforms.feishu.api import FeishuAPI
    from bot.runtime import Runtime


def build_api(rt: Runtime) -> FeishuAPI:
    """Create the open-platform client (called when [feishu] is enabled)."""
    from bot.platforms.feishu.api import FeishuAPI

    return FeishuAPI(rt.settings.feishu)
