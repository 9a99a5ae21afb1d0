"""Help, notices and errors: the cards every feature shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.actions import (
    ShowHelp,
)
from bot.core.cards import Button, Card, Level, Section


@dataclass(frozen=True)
class HelpEntry:
    """One line of the help card."""

    usage: str
    summary: str
    aliases: tuple[str, ...] = ()


def help_card(entries: Sequence[HelpEntry], bot_name: str, short: bool = False, heard: str = "") -> Card:
    """List what the bot can do here; the short form answers text it did not understand."""
    lines = [f"**{e.usage}** — {e.summary}" for e in entries]
    if short:
        intro = f"没听懂“{heard[:30]}”。可以这样说：" if heard else "可以这样说："
        return Card(title="我能帮你做这些", level=Level.INFO,
                    sections=[Section(text=intro, items=lines[:4])],
                    buttons=[Button("看全部指令", ShowHelp(topic="all"))],
                    footer=f"在群里 @{bot_name} 加指令即可")
    aliases = ", ".join(a for e in entries for a in e.aliases)
    return Card(title=f"{bot_name}能做什么", level=Level.INFO, sections=[Section(items=lines)],
                footer=f"英文别名：{aliases}" if aliases else "")


def notice_card(title: str, text: str, level: Level = Level.INFO, items: Sequence[str] = (),
                buttons: Sequence[Button] = ()) -> Card:
    """A short message card: a result, a refusal, or how to do something."""
    return Card(title=title, level=level, sections=[Section(text=text, items=list(items))], buttons=list(buttons))


def error_card() -> Card:
    """What a user sees when something broke on our side: short, friendly, no internals."""
    return notice_card("刚才没处理成功", "我这边出了点问题，已经记下来了。稍后再试一次，或发“帮助”看看能做什么。",
                       Level.WARNING, buttons=[Button("帮助", ShowHelp(topic="all"))])
