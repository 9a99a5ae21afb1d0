"""The admins' daily card of dead letters: how many messages could not be delivered, why, and the fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.cards import Card, Field, Level, Section

PLATFORM_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "playground": "演练场"}


def reason_label(reason: str) -> str:
    """Say in one short Chinese phrase why a message was given up."""
    if reason.startswith("gave up after"):
        return "多次重试仍失败（平台或网络故障）"
    if "not enabled" in reason:
        return "平台未启用（在配置里启用后重试）"
    if reason.startswith("permanent"):
        return "平台拒收（检查配置、权限或接收人）"
    return "投递失败"


def dead_letters_card(day: str, counts: Mapping[str, int], newest: Sequence[Mapping[str, Any]]) -> Card:
    """Counts per platform, the newest few with their reason, and how to send them again."""
    total = sum(counts.values())
    fields = [Field(PLATFORM_NAMES.get(p, p), f"{n} 条") for p, n in sorted(counts.items())]
    items = [f"#{m['id']} {PLATFORM_NAMES.get(m['platform'], m['platform'])} · {reason_label(m['reason'])}"
             for m in newest]
    return Card(title="未送达消息日报", subtitle=day, level=Level.WARNING,
                sections=[Section(title=f"共 {total} 条消息没有送达", fields=fields),
                          Section(title="最近几条", items=items,
                                  text="修好原因后重发：salesbot outbox retry 编号，或 --all 全部重发")],
                footer="逐条原因见 /api/v1/dead_letters")
