"""Where to reach a member personally: their 1:1 chat on an enabled platform, else the playground."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.events import ChatRef
from storage.repos import members

REAL_PLATFORMS = ("wecom", "dingtalk", "feishu")  # preference order when a member has several identities
_META = {"playground": {"skin": "wecom"}}  # the playground shows personal chats in the WeCom skin


@dataclass
class Personal:
    """Members' personal chats, and the members we could not reach (reported, never silently skipped)."""

    chats: dict[int, ChatRef] = field(default_factory=dict)
    unreachable: list[int] = field(default_factory=list)


def enabled_platforms(settings: Settings) -> list[str]:
    """Return the platforms we can deliver to, real ones first, the playground last."""
    out = [p for p in REAL_PLATFORMS if getattr(getattr(settings, p), "enabled", False)]
    if settings.playground.enabled:
        out.append("playground")
    return out


async def personal_chats(session: AsyncSession, settings: Settings, member_ids: list[int]) -> Personal:
    """Pick each member's personal ChatRef on the first enabled platform they have an identity on."""
    ids = sorted(set(member_ids))
    idents = await members.identities_of(session, ids) if ids else {}
    result = Personal()
    order = enabled_platforms(settings)
    for mid in ids:
        mine = idents.get(mid, {})
        platform = next((p for p in order if p in mine), None)
        if platform is None:
            result.unreachable.append(mid)
            continue
        result.chats[mid] = ChatRef(platform, f"dm:{mine[platform]}", False, dict(_META.get(platform, {})))
    return result
