"""The Card view-model every handler returns; renderers turn it into platform payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cards.actions import Action, unpack


class Level(StrEnum):
    """Colour of the card header: how urgent it is at a glance."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    DANGER = "danger"


@dataclass
class Field:
    """A label and its value, shown side by side."""

    label: str
    value: str


@dataclass
class Section:
    """A block of the card: optional heading, text, fields and bullet items."""

    title: str = ""
    text: str = ""
    fields: list[Field] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Button:
    """A button carrying a typed Action; `style` is primary, default or danger."""

    label: str
    action: Action
    style: str = "default"


@dataclass
class Card:
    """Title, level, sections and at most a few buttons: the next step visible within one glance."""

    title: str
    level: Level = Level.INFO
    sections: list[Section] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    subtitle: str = ""
    footer: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Serialize, packing each button's action."""
        return {"title": self.title, "level": str(self.level), "subtitle": self.subtitle,
                "footer": self.footer,
                "sections": [{"title": s.title, "text": s.text, "items": s.items,
                              "fields": [[f.label, f.value] for f in s.fields]} for s in self.sections],
                "buttons": [{"label": b.label, "value": b.action.pack(), "style": b.style}
                            for b in self.buttons]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        """Rebuild a card serialized by to_dict."""
        sections = [Section(title=s["title"], text=s["text"], items=s["items"],
                            fields=[Field(*f) for f in s["fields"]]) for s in data["sections"]]
        buttons = [Button(b["label"], unpack(b["value"]), b["style"]) for b in data["buttons"]]
        return cls(title=data["title"], level=Level(data["level"]), sections=sections, buttons=buttons,
                   subtitle=data["subtitle"], footer=data["footer"])
