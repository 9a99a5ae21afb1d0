"""Pool (公海) cards: the listing with claim buttons, the owner's warning and reclaim notices, claim results."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import ClaimFromPool
from bot.core.cards import Button, Card, Level, Section
from cards.views.common import notice_card


def pool_card(items: Sequence[tuple[str, str, str]], limits: str) -> Card:
    """The pool: (ref, label, since) newest first, a 领取 button for the first few."""
    if not items:
        return notice_card("公海里现在没有客户", "有客户被放弃或超期收回时会出现在这里。", items=[limits])
    lines = [f"{label} · {since}" if since else label for _, label, since in items]
    buttons = [Button(f"领取 {label[:12]}", ClaimFromPool(ref=ref)) for ref, label, _ in items[:4]]
    return Card(title=f"公海：{len(items)} 个可领取", sections=[Section(items=lines), Section(text=limits)],
                buttons=buttons, footer="发“领取 <客户或编号>”领取；“放弃 <客户> <原因>”放回公海")


def pool_warning_card(items: Sequence[tuple[str, str, int]]) -> Card:
    """The owner's one warning: (customer, why, days left) — a follow-up restarts the countdown."""
    lines = [f"{name}：{why}，{days} 天后进公海" for name, why, days in items]
    return notice_card(f"{len(items)} 个客户快进公海了", "跟进一次（发“跟进 <客户> <内容>”）就会重新计时：",
                       Level.WARNING, items=lines[:20] + ([f"还有 {len(lines) - 20} 个"] if len(lines) > 20 else []))


def pool_reclaimed_card(items: Sequence[tuple[str, str]]) -> Card:
    """Tell the owner which customers went to the pool and why."""
    lines = [f"{name}：{why}" for name, why in items]
    return notice_card(f"{len(items)} 个客户已收回公海", "按公海规则收回，同事可以领取：", Level.WARNING,
                       items=lines[:20] + ([f"还有 {len(lines) - 20} 个"] if len(lines) > 20 else []))
