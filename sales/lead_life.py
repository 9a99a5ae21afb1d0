"""Lead lifecycle rules (no I/O): which moves are allowed, what frees capacity, the lost-reason pick list."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.vocab import CLOSED_LEAD_STATUSES, OPEN_LEAD_STATUSES, OWNED_LEAD_STATUSES, LeadStatus

LOST_REASONS: tuple[str, ...] = ("空号错号", "没有需求", "已选竞品", "重复线索", "联系不上", "其他")
OTHER = "其他"


def may_close(status: str) -> bool:
    """True while the lead is open (a closed lead is not closed twice)."""
    return status in OPEN_LEAD_STATUSES


def frees_capacity(old: str, new: str) -> bool:
    """True when the move releases the owner's slot (owned → converted/lost/pool)."""
    return old in OWNED_LEAD_STATUSES and new in CLOSED_LEAD_STATUSES


@dataclass(frozen=True)
class LostReason:
    """A pick-list reason plus the rep's own words."""

    reason: str
    note: str = ""

    def text(self) -> str:
        """One line for the timeline."""
        return f"{self.reason}：{self.note}" if self.note else self.reason


def parse_lost_reason(text: str) -> LostReason | None:
    """Match the pick list at the start of the text (else 其他 with the text as the note); None when empty."""
    text = text.strip()
    if not text:
        return None
    for reason in LOST_REASONS:
        if text.startswith(reason):
            return LostReason(reason, text[len(reason):].strip(" ：:，,"))
    return LostReason(OTHER, text)


def status_label(status: str) -> str:
    """The Chinese word for a stored status (unknown values shown as they are)."""
    try:
        return LeadStatus(status).label
    except ValueError:
        return status
