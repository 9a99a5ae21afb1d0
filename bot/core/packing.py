"""Typed card actions packed into platform button values and unpacked in handlers: the Action base and its codec.

Packed form: ``<prefix>|<field1>|<field2>…`` — short enough for the tightest carrier (WeCom button
keys and DingTalk string params) and readable in logs. Define one with::

    class ClaimLead(Action, prefix="lead.claim"):
        lead_id: int

`unpack` knows every Action defined so far: the built-in ones are in bot/core/actions.py, which the kernel
package imports (bot/core/__init__.py), so they are known wherever anything of bot/core is loaded.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, dataclass_transform, get_args, get_type_hints
from urllib.parse import quote, unquote

from bot.core.errors import ActionError

MAX_PACKED_BYTES = 256  # WeCom template-card keys are the tightest carrier we render into
_SAFE = " .:-_/@#!*()，。"
_PLAIN = re.compile(r"[A-Za-z0-9_.~ :/@#!*()-]*")  # what quote(…, safe=_SAFE) leaves as it is (ASCII safe only)
_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass_transform(frozen_default=True)  # type checkers see each subclass as the frozen dataclass it becomes
class Action:
    """Base of every typed payload; subclasses become frozen dataclasses registered by prefix."""

    prefix: ClassVar[str] = ""
    _registry: ClassVar[dict[str, type[Action]]] = {}

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "|" in prefix or not prefix:
            raise ActionError(f"action prefix {prefix!r} must be non-empty and contain no '|'")
        if prefix in Action._registry:
            raise ActionError(f"action prefix {prefix!r} is used by {Action._registry[prefix].__name__} already")
        cls.prefix = prefix
        dataclasses.dataclass(frozen=True)(cls)
        Action._registry[prefix] = cls

    def pack(self) -> str:
        """Encode as a button value; raise ActionError when it would not fit a button."""
        cached: str | None = self.__dict__.get("_packed")  # frozen, so packed once: cards pack each button often
        if cached is not None:
            return cached
        packed = "|".join([self.prefix] + [_encode(getattr(self, name)) for name in _names(type(self))])
        size = len(packed.encode())
        if size > MAX_PACKED_BYTES:
            raise ActionError(f"action {self.prefix} packs to {size} bytes, over the {MAX_PACKED_BYTES}-byte "
                              "button limit; store long text in the database and pass its id instead")
        object.__setattr__(self, "_packed", packed)  # not a field: equality, hashing and repr do not see it
        return packed


def unpack(value: str) -> Action:
    """Decode a packed button value into its Action; raise ActionError saying what is wrong."""
    if not isinstance(value, str) or not value:
        raise ActionError("empty action value; the button was not made by salesbot")
    prefix, *raw = value.split("|")
    cls = Action._registry.get(prefix)
    if cls is None:
        raise ActionError(f"unknown action {prefix!r}; the card may be from an older version — send the "
                          "command again for a fresh card")
    fields = _fields(cls)
    if len(raw) != len(fields):
        raise ActionError(f"action {prefix} expects {len(fields)} values, got {len(raw)}")
    hints = get_type_hints(cls)
    try:
        kwargs = {f.name: _decode(v, hints[f.name]) for f, v in zip(fields, raw, strict=True)}
    except ValueError as exc:
        raise ActionError(f"action {prefix} has a malformed value: {exc}") from exc
    return cls(**kwargs)


def _fields(cls: type[Action]) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of an Action subclass (every subclass is made a dataclass in __init_subclass__)."""
    return dataclasses.fields(cls)  # type: ignore[arg-type]  # typeshed cannot see the dataclass made at run time


def _names(cls: type[Action]) -> tuple[str, ...]:
    """The field names of an Action subclass, looked up once per class."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in _fields(cls))
    return names


def _encode(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    return text if _PLAIN.fullmatch(text) else quote(text, safe=_SAFE)  # ids and keys are usually plain


def _decode(raw: str, hint: Any) -> Any:
    args = get_args(hint)
    if args:  # X | None
        if raw == "" and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
    if hint is bool:
        return raw == "1"
    if hint is int:
        value = int(raw)
        if not -(2**63) <= value < 2**63:  # ids are BIGINT at most; a larger one is a forged button
            raise ValueError(f"{raw[:24]} is out of range")
        return value
    if hint is float:
        return float(raw)
    return unquote(raw)
