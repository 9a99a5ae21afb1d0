"""The admins' daily card of dead letters: how many messages (and background tasks) failed, why, and the fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.cards import Card, Field, Level, Section

PLATFORM_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "playground": "演练场"}
TASK_NAMES = {"fetch_media": "附件下载", "create_approval": "发起审批", "read_approval": "读取审批结果",
              "create_room": "建商机群", "set_workbench": "工作台数据"}


def reason_label(reason: str) -> str:
    """Say in one short Chinese phrase why a message was given up."""
    if reason.startswith("gave up after"):
        return "多次重试仍失败（平台或网络故障）"
    if "not enabled" in reason:
        return "平台未启用（在配置里启用后重试）"
    if reason.startswith("permanent"):
        return "平台拒收（检查配置、权限或接收人）"
    return "投递失败"


def dead_letters_card(day: str, counts: Mapping[str, int], newest: Sequence[Mapping[str, Any]],
                      tasks: Mapping[str, int] | None = None) -> Card:
    """Counts per platform, the newest few with their reason, dead background tasks, and how to retry them."""
    sections = []
    if counts:
        fields = [Field(PLATFORM_NAMES.get(p, p), f"{n} 条") for p, n in sorted(counts.items())]
        items = [f"#{m['id']} {PLATFORM_NAMES.get(m['platform'], m['platform'])} · {reason_label(m['reason'])}"
                 for m in newest]
        sections += [Section(title=f"共 {sum(counts.values())} 条消息没有送达", fields=fields),
                     Section(title="最近几条", items=items,
                             text="修好原因后重发：salesbot outbox retry 编号，或 --all 全部重发")]
    if tasks:
        fields = [Field(TASK_NAMES.get(k, k), f"{n} 个") for k, n in sorted(tasks.items())]
        sections.append(Section(title=f"{sum(tasks.values())} 个后台任务没有完成", fields=fields,
                                text="修好原因后重跑：salesbot outbox retry-tasks --all"))
    return Card(title="未送达消息日报", subtitle=day, level=Level.WARNING, sections=sections,
                footer="逐条原因见 /api/v1/dead_letters")
