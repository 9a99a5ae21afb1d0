"""The domain vocabulary: statuses, grades and interaction kinds, each with its one Chinese label."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class LeadStatus(StrEnum):
    """Where a lead is in its life (INTERFACE.md, "Lead lifecycle")."""

    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    BREACHED = "breached"
    CONVERTED = "converted"
    LOST = "lost"
    POOL = "pool"

    @property
    def label(self) -> str:
        """Return the word a rep sees."""
        return LEAD_STATUS_LABELS[self]


LEAD_STATUS_LABELS: dict[LeadStatus, str] = {
    LeadStatus.NEW: "待分配", LeadStatus.ASSIGNED: "待接单", LeadStatus.ACCEPTED: "跟进中",
    LeadStatus.BREACHED: "已超时", LeadStatus.CONVERTED: "已转商机", LeadStatus.LOST: "已关闭",
    LeadStatus.POOL: "在公海",
}
# Only these count against a rep's capacity; every other status has released its owner's slot.
OWNED_LEAD_STATUSES: tuple[LeadStatus, ...] = (LeadStatus.ASSIGNED, LeadStatus.ACCEPTED, LeadStatus.BREACHED)
OPEN_LEAD_STATUSES: tuple[LeadStatus, ...] = (LeadStatus.NEW, *OWNED_LEAD_STATUSES)
CLOSED_LEAD_STATUSES: tuple[LeadStatus, ...] = (LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.POOL)


class Grade(StrEnum):
    """A customer's quadrant: predicted lifetime value × activity."""

    STRATEGIC = "战略伙伴"
    GROWTH = "高潜成长"
    STEADY = "稳定续费"
    DORMANT = "休眠唤醒"


class InteractionKind(StrEnum):
    """What a rep did with a customer; imports accept the Chinese word or the English key."""

    FOLLOW_UP = "followup"
    VISIT = "visit"
    MEETING = "meeting"
    DEMO = "demo"
    CALL = "call"
    MESSAGE = "message"
    DOWNLOAD = "download"
    REVISION = "revision"
    WECHAT = "wechat"
    EMAIL = "email"
    CONTACT_EVENT = "contact_event"

    @property
    def label(self) -> str:
        """Return the word a rep sees."""
        return INTERACTION_LABELS[self]

    @classmethod
    def parse(cls, word: str) -> InteractionKind | None:
        """Return the kind for a Chinese word or English key, or None when it names none."""
        word = word.strip()
        return _BY_WORD.get(word) or _BY_WORD.get(word.lower())


INTERACTION_LABELS: dict[InteractionKind, str] = {
    InteractionKind.FOLLOW_UP: "跟进", InteractionKind.VISIT: "拜访", InteractionKind.MEETING: "会议",
    InteractionKind.DEMO: "演示", InteractionKind.CALL: "电话", InteractionKind.MESSAGE: "消息",
    InteractionKind.DOWNLOAD: "资料下载", InteractionKind.REVISION: "方案修改", InteractionKind.WECHAT: "微信",
    InteractionKind.EMAIL: "邮件", InteractionKind.CONTACT_EVENT: "企业微信客户联系",
}
_BY_WORD: dict[str, InteractionKind] = {
    **{k.value: k for k in InteractionKind}, **{v: k for k, v in INTERACTION_LABELS.items()},
}


class CustomerEventKind(StrEnum):
    """A change in a customer's life, kept in `customer_event` (scorecards and reports read them)."""

    CREATED = "created"
    UPDATED = "updated"  # a field changed (`客户` command, import); detail holds the fields
    CLAIMED = "claimed"  # taken from the pool
    RELEASED = "released"  # given back to the pool by its owner
    RECLAIMED = "reclaimed"  # moved to the pool by pool_reclaim
    HANDOVER = "handover"  # moved to another rep (salesbot handover)
    CONTACT_DELETED = "contact_deleted"  # WeCom external contact deleted by the customer
    GRADED = "graded"  # grade changed; detail holds from/to

# Member roles as people say them (members CSV `role`): refusals name who may, in words.
ROLE_LABELS: dict[str, str] = {"rep": "销售", "manager": "主管", "admin": "管理员"}


def role_words(roles: Iterable[str]) -> str:
    """`{"manager", "admin"}` → "主管、管理员"."""
    order = list(ROLE_LABELS)
    return "、".join(ROLE_LABELS.get(r, r) for r in sorted(roles, key=lambda r: order.index(r) if r in order else 9))
