"""Routers: one per handlers module, collected explicitly into a RouteTable."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.actions import Action

if TYPE_CHECKING:
    from bot.core.context import Context
    from bot.core.events import Event, Reply

Handler = Callable[["Event", "Context"], Awaitable["Reply | None"]]
Takes = Callable[["Event"], bool]
_ASCII = re.compile(r"^[A-Za-z]+$")


@dataclass
class Command:
    """A chat command: its names (Chinese first, then aliases), handler and help text."""

    names: tuple[str, ...]
    handler: Handler
    summary: str
    usage: str
    feature: str | None
    roles: frozenset[str] | None = None
    needs_member: bool = True
    spaced: bool = False  # the name must be followed by a space (or end): "客户 华东医疗", not "客户说…"


@dataclass
class Router:
    """Handlers of one module: chat commands, card actions and other event kinds."""

    name: str
    feature: str | None = None
    commands: list[Command] = field(default_factory=list)
    actions: dict[type[Action], tuple[Handler, frozenset[str] | None]] = field(default_factory=dict)
    kinds: dict[str, list[Handler]] = field(default_factory=dict)
    takes: dict[str, list[Takes | None]] = field(default_factory=dict)

    def command(self, *names: str, summary: str = "", usage: str = "", roles: Iterable[str] | None = None,
                needs_member: bool = True, spaced: bool = False) -> Callable[[Handler], Handler]:
        """Register a chat command under its names (the first is shown in help)."""
        def deco(fn: Handler) -> Handler:
            self.commands.append(Command(tuple(names), fn, summary, usage or names[0], self.feature,
                                         frozenset(roles) if roles else None, needs_member, spaced))
            return fn
        return deco

    def action(self, *types: type[Action], roles: Iterable[str] | None = None) -> Callable[[Handler], Handler]:
        """Register a handler for clicks carrying these Action types."""
        def deco(fn: Handler) -> Handler:
            for t in types:
                self.actions[t] = (fn, frozenset(roles) if roles else None)
            return fn
        return deco

    def on(self, kind: str, takes: Takes | None = None) -> Callable[[Handler], Handler]:
        """Register a handler for a non-chat event kind (lead, approval, platform).

        `takes` says cheaply, from the event alone, whether the handler has anything to do with it: an event
        no handler takes is stored as done when it arrives and never reaches a worker.
        """
        def deco(fn: Handler) -> Handler:
            self.kinds.setdefault(kind, []).append(fn)
            self.takes.setdefault(kind, []).append(takes)
            return fn
        return deco


class RouteTable:
    """All enabled routers, answering "which handler takes this event?"."""

    def __init__(self, routers: Iterable[Router], enabled: Callable[[str | None], bool]) -> None:
        self.routers = [r for r in routers if enabled(r.feature)]
        self._names: list[tuple[str, Command]] = sorted(
            ((n.lower(), c) for r in self.routers for c in r.commands for n in c.names),
            key=lambda nc: -len(nc[0]))
        self._actions = {t: h for r in self.routers for t, h in r.actions.items()}
        self._takes: dict[str, list[Takes | None]] = {}
        for r in self.routers:
            for kind, preds in r.takes.items():
                self._takes.setdefault(kind, []).extend(preds)

    def match(self, text: str) -> tuple[Command, str] | None:
        """Find the command a message starts with; return it with the remaining arguments."""
        body = text.strip().lstrip("/")
        low = body.lower()
        for name, cmd in self._names:
            if not low.startswith(name):
                continue
            rest = body[len(name):]
            if (_ASCII.match(name) or cmd.spaced) and rest and not rest[0].isspace():
                continue  # "newton" is not "new"; "客户说预算不够" is not `客户`
            return cmd, rest.strip()
        return None

    def action(self, action: Action) -> tuple[Handler, frozenset[str] | None] | None:
        """Return the handler and allowed roles for an Action type."""
        return self._actions.get(type(action))

    def wanted(self, event: Event) -> bool:
        """Return whether any handler takes the event (messages, clicks and approvals always are)."""
        if event.kind != "platform":
            return True
        return any(take is None or take(event) for take in self._takes.get("platform", ()))

    def for_kind(self, kind: str) -> list[Handler]:
        """Return handlers of a non-chat event kind."""
        return [h for r in self.routers for h in r.kinds.get(kind, [])]

    def help_commands(self) -> list[Command]:
        """Return enabled commands in registration order, for the help card."""
        return [c for r in self.routers for c in r.commands]
