"""Routers: one per handlers module, collected explicitly into a RouteTable.

A handler is registered for what it receives: a chat command gets a `Message`, a card action type `A` gets a
`CardClick[A]`, a non-chat payload type (`ApprovalDecided`, `LeadSubmitted`, `MediaReceived`, …) gets that
payload (bot/core/inbound.py). Type checkers see each handler's payload type at its registration.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from bot.core.packing import Action

if TYPE_CHECKING:
    from typing import Self

    from bot.core.context import Context
    from bot.core.events import Event, Reply
    from bot.core.inbound import CardClick, Message


class Payload(Protocol):
    """A typed payload of a non-chat event kind: `of(event)` is None when the event is not one."""

    KIND: ClassVar[str]

    @classmethod
    def of(cls, event: Event) -> Self | None:
        """Read the payload out of an event."""
        ...


A = TypeVar("A", bound=Action)
P = TypeVar("P", bound=Payload)
Handler = Callable[["Message", "Context"], Awaitable["Reply | None"]]
ClickHandler = Callable[["CardClick[A]", "Context"], Awaitable["Reply | None"]]
PayloadHandler = Callable[[P, "Context"], Awaitable[None]]
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
    """Handlers of one module: chat commands, card actions, and payloads of other event kinds."""

    name: str
    feature: str | None = None
    commands: list[Command] = field(default_factory=list)
    actions: dict[type[Action], tuple[ClickHandler[Any], frozenset[str] | None]] = field(default_factory=dict)
    payloads: list[tuple[type[Payload], PayloadHandler[Any]]] = field(default_factory=list)
    unmatched: list[Handler] = field(default_factory=list)

    def command(self, *names: str, summary: str = "", usage: str = "", roles: Iterable[str] | None = None,
                needs_member: bool = True, spaced: bool = False) -> Callable[[Handler], Handler]:
        """Register a chat command under its names (the first is shown in help)."""
        def deco(fn: Handler) -> Handler:
            self.commands.append(Command(tuple(names), fn, summary, usage or names[0], self.feature,
                                         frozenset(roles) if roles else None, needs_member, spaced))
            return fn
        return deco

    def action(self, kind: type[A], roles: Iterable[str] | None = None,
               ) -> Callable[[ClickHandler[A]], ClickHandler[A]]:
        """Register the handler of clicks carrying this Action type."""
        def deco(fn: ClickHandler[A]) -> ClickHandler[A]:
            self.actions[kind] = (fn, frozenset(roles) if roles else None)
            return fn
        return deco

    def on(self, kind: type[P]) -> Callable[[PayloadHandler[P]], PayloadHandler[P]]:
        """Register a handler of a non-chat payload type (an event it cannot be read from is not its)."""
        def deco(fn: PayloadHandler[P]) -> PayloadHandler[P]:
            self.payloads.append((kind, fn))
            return fn
        return deco

    def on_unmatched(self, fn: Handler) -> Handler:
        """Register a handler of messages no command matched (the first reply wins, else the short help)."""
        self.unmatched.append(fn)
        return fn


class RouteTable:
    """All enabled routers, answering "which handler takes this event?"."""

    def __init__(self, routers: Iterable[Router], enabled: Callable[[str | None], bool]) -> None:
        self.routers = [r for r in routers if enabled(r.feature)]
        self._names: list[tuple[str, Command]] = sorted(
            ((n.lower(), c) for r in self.routers for c in r.commands for n in c.names),
            key=lambda nc: -len(nc[0]))
        self._actions = {t: h for r in self.routers for t, h in r.actions.items()}
        self._payloads: dict[str, list[tuple[type[Payload], PayloadHandler[Any]]]] = {}
        for r in self.routers:
            for ptype, fn in r.payloads:
                self._payloads.setdefault(ptype.KIND, []).append((ptype, fn))
        self.unmatched = [h for r in self.routers for h in r.unmatched]

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

    def action(self, action: Action) -> tuple[ClickHandler[Any], frozenset[str] | None] | None:
        """Return the handler and allowed roles for an Action type."""
        return self._actions.get(type(action))

    def wanted(self, event: Event) -> bool:
        """Return whether any handler takes the event (messages, clicks, approvals and leads always are)."""
        if event.kind != "platform":
            return True
        return any(ptype.of(event) is not None for ptype, _ in self._payloads.get("platform", ()))

    def for_kind(self, kind: str) -> list[tuple[type[Payload], PayloadHandler[Any]]]:
        """Return the payload types and handlers of a non-chat event kind."""
        return self._payloads.get(kind, [])

    def help_commands(self) -> list[Command]:
        """Return enabled commands in registration order, for the help card."""
        return [c for r in self.routers for c in r.commands]
