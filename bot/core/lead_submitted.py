"""The typed payload of a lead event: one intake submission, its fields mapped and checked by the adapter."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from bot.core.events import Event

PLATFORM = "intake"  # Event.platform of every intake submission
KIND = "lead"  # Event.kind


@dataclass(frozen=True)
class LeadSubmitted:
    """A submission that can become a lead (INTERFACE.md intake); `key` is its intake key and inbox dedupe key.

    `posted` is the payload as the source sent it (kept on the lead as `extra.raw`), `unmapped` the fields no
    field map named; every other field is canonical, already trimmed to its limit.
    """

    KIND: ClassVar[str] = KIND
    channel: str
    key: str
    mobile: str | None = None  # 11 digits, normalized; None when only a WeCom external userid came
    company_key: str = ""  # the company name folded for dedupe
    contact_name: str = ""
    company: str = ""
    need: str = ""
    region: str = ""
    industry: str = ""
    product_line: str = ""
    wecom_external_userid: str = ""
    email: str = ""
    title: str = ""
    source: str = ""
    unmapped: dict[str, Any] = field(default_factory=dict)
    posted: dict[str, Any] = field(default_factory=dict)

    def to_raw(self) -> dict[str, Any]:
        """The JSON object stored as the event's `raw` in the inbox."""
        return asdict(self)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> LeadSubmitted:
        """Rebuild the payload stored by `to_raw` (keys a later version dropped are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    @classmethod
    def of(cls, event: Event) -> LeadSubmitted | None:
        """The submission of a lead event (None for any other kind)."""
        return cls.from_raw(event.raw) if event.kind == KIND else None


CANONICAL = tuple(f.name for f in fields(LeadSubmitted) if f.name not in
                  ("channel", "key", "mobile", "company_key", "unmapped", "posted"))
