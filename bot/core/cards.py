"""The Card view-model every handler returns; renderers turn it into platform payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.packing import Action, unpack


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
class Check:
    """A checklist line that can be ticked: ticking sends `action` (none when it cannot be ticked)."""

    label: str
    done: bool = False
    action: Action | None = None


@dataclass
class Section:
    """A block of the card: optional heading, text, fields and bullet items.

    `checks` is the tickable form of `items` (same lines, same order): renderers that can tick (Feishu
    checkers, the playground) show the checks instead of the items; the others keep showing `items`, which
    are filled from the checks when left empty, so no line is lost anywhere.
    """

    title: str = ""
    text: str = ""
    fields: list[Field] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.checks and not self.items:
            self.items = [("✅ " if c.done else "⬜ ") + c.label for c in self.checks]


@dataclass
class Button:
    """A button carrying a typed Action; `style` is primary, default or danger."""

    label: str
    action: Action
    style: str = "default"


@dataclass
class Form:
    """One text box and a submit button that sends `action` with the typed text as Event.text.

    Renderers without forms leave it out, so the card's text must also say how to answer in chat.
    """

    action: Action
    submit: str = "提交"
    placeholder: str = ""


@dataclass
class Card:
    """Title, level, sections and at most a few buttons: the next step visible within one glance."""

    title: str
    level: Level = Level.INFO
    sections: list[Section] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    subtitle: str = ""
    footer: str = ""
    form: Form | None = None
    link: str = ""  # the page the whole card opens when tapped (renderers with a card-level link use it)

    def to_dict(self) -> dict[str, Any]:
        """Serialize, packing each action; `checks` and `form` appear only when set."""
        data: dict[str, Any] = {"title": self.title, "level": str(self.level), "subtitle": self.subtitle,
                "footer": self.footer, "sections": [_section_dict(s) for s in self.sections],
                "buttons": [{"label": b.label, "value": b.action.pack(), "style": b.style}
                            for b in self.buttons]}
        if self.form is not None:
            data["form"] = {"value": self.form.action.pack(), "submit": self.form.submit,
                            "placeholder": self.form.placeholder}
        if self.link:
            data["link"] = self.link
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        """Rebuild a card serialized by to_dict."""
        sections = [Section(title=s["title"], text=s["text"], items=s["items"],
                            fields=[Field(*f) for f in s["fields"]],
                            checks=[Check(c["label"], c["done"], unpack(c["value"]) if c.get("value") else None)
                                    for c in s.get("checks", [])]) for s in data["sections"]]
        buttons = [Button(b["label"], unpack(b["value"]), b["style"]) for b in data["buttons"]]
        form = data.get("form")
        return cls(title=data["title"], level=Level(data["level"]), sections=sections, buttons=buttons,
                   subtitle=data["subtitle"], footer=data["footer"],
                   form=Form(unpack(form["value"]), form["submit"], form["placeholder"]) if form else None,
                   link=data.get("link", ""))


def _section_dict(s: Section) -> dict[str, Any]:
    data: dict[str, Any] = {"title": s.title, "text": s.text, "items": s.items,
                            "fields": [[f.label, f.value] for f in s.fields]}
    if s.checks:
        data["checks"] = [{"label": c.label, "done": c.done, "value": c.action.pack() if c.action else ""}
                          for c in s.checks]
    return data
