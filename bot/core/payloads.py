"""Parsing of untrusted JSON bodies and typed reads of their fields, with a reason the sender can act on.

Every adapter reads platform fields through `text`, `obj`, `items` and `integer`: a field of the wrong
type is a 400 naming the field, never an AttributeError deep in an adapter (a 500).
Nesting is bounded (MAX_DEPTH) before anything else looks at the value: a deeply nested body is a 400,
not a RecursionError, and later code (json.dumps into the inbox, the adapters) never meets it. Strings
the database cannot keep (NUL, unpaired surrogates) are a 400 too (bot/core/jsondepth.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.core.errors import BadRequest
from bot.core.jsondepth import MAX_DEPTH, finite, no_constants, too_deep, unstorable_text

_DIGITS = re.compile(r"[0-9]{1,19}")


_DECODER = json.JSONDecoder(parse_constant=no_constants, parse_float=finite)  # built once, not per body


def json_object(data: str | bytes, what: str) -> dict[str, Any]:
    """Parse `data` as a JSON object of bounded depth or raise BadRequest naming `what` and the problem."""
    try:
        plain = data if isinstance(data, str) else data.decode(json.detect_encoding(data), "surrogatepass")
        value = _DECODER.decode(plain)
    except RecursionError:
        raise BadRequest(f"{what} nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise BadRequest(f"{what} is not valid JSON: {exc.args[0]}") from exc
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object")
    if too_deep(data, value):
        raise BadRequest(f"{what} nests deeper than {MAX_DEPTH} levels")
    if problem := unstorable_text(data, value):
        raise BadRequest(f"{what} {problem}; no platform sends that and it cannot be stored")
    return value


def _wrong(what: str, key: str, want: str, value: Any) -> BadRequest:
    name = f"{what}.{key}" if what else key
    return BadRequest(f"{name} must be {want}, not {type(value).__name__}", {name: f"must be {want}"})


def text(data: Mapping[str, Any], key: str, what: str = "", default: str = "") -> str:
    """Return a string field (numbers are taken as their text); absent or null gives `default`."""
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        if "\x00" in value:  # no platform sends NUL; PostgreSQL text cannot hold it
            raise _wrong(what, key, "a string without NUL characters", value)
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _wrong(what, key, "a string", value)


def obj(data: Mapping[str, Any], key: str, what: str = "") -> dict[str, Any]:
    """Return an object field; absent or null gives {}."""
    value = data.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise _wrong(what, key, "an object", value)


def items(data: Mapping[str, Any], key: str, what: str = "") -> list[Any]:
    """Return a list field; absent or null gives []."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise _wrong(what, key, "a list", value)


def integer(data: Mapping[str, Any], key: str, what: str = "", default: int = 0) -> int:
    """Return an integer field (a string of digits counts); absent, null or "" gives `default`."""
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    raise _wrong(what, key, "an integer", value)


def whole_number(raw: str, name: str, low: int = 0, high: int = 2**62) -> int:
    """Parse an id or count from a URL: ASCII digits only ("²".isdigit() is True, int("²") fails), in range."""
    if not _DIGITS.fullmatch(raw or "") or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}", {name: (raw or "")[:40]})
    return int(raw)


def objects(values: list[Any]) -> list[dict[str, Any]]:
    """Keep the objects of a list (platform lists may carry nulls or strings we do not read)."""
    return [v for v in values if isinstance(v, dict)]
