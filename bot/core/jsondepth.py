"""The bounds of untrusted JSON (kernel: adapters, intake and payload parsing share them).

Nesting at most MAX_DEPTH; and no string the database cannot keep: PostgreSQL refuses NUL (U+0000) in
text and json, and unpaired UTF-16 surrogates ("\\ud800") in json. No platform sends either, so a body
carrying one is refused with a 400 before it reaches the inbox (where it would fail as a 5xx).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32  # real platform payloads nest at most ~8 levels (Feishu card actions, DingTalk richText)


def opens(data: str | bytes) -> int:
    """An upper bound of the nesting: the number of opening brackets (cheap, in C)."""
    if isinstance(data, str):
        return data.count("{") + data.count("[")
    return data.count(b"{") + data.count(b"[")


def depth(value: Any) -> int:
    """Return the nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def too_deep(data: str | bytes, value: Any) -> bool:
    """Say whether a parsed value nests deeper than MAX_DEPTH (the bracket count spares most walks)."""
    return opens(data) > MAX_DEPTH and depth(value) > MAX_DEPTH


_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")  # an escaped NUL, not an escaped backslash before "u0000"


def unstorable(value: Any) -> str:
    """Return why a parsed value cannot be stored ("" when it can): a NUL or an unpaired surrogate."""
    dumped = json.dumps(value, ensure_ascii=False)
    if _NUL.search(dumped):
        return "contains a NUL character (\\u0000)"
    try:
        dumped.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired UTF-16 surrogate"
    return ""


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # a \\uD800–\\uDFFF escape in JSON text


def unstorable_text(data: str | bytes, value: Any) -> str:
    """unstorable(value) for a value just parsed from `data`, looking at the text first: JSON text carries a
    NUL or a lone surrogate only as an escape (or as the character itself), so most bodies need no second
    pass over the parsed value."""
    if isinstance(data, bytes):
        raw, odd = data.decode("latin-1"), b"\xed" in data  # 0xED leads every UTF-8-encoded surrogate
    else:
        raw, odd = data, not _encodable(data)
    if odd or ("\\u" in raw and ("\\u0000" in raw or _SURROGATE_ESCAPE.search(raw))):
        return unstorable(value)
    return ""


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def no_constants(name: str) -> Any:
    """json.loads(parse_constant=…): NaN and ±Infinity are not JSON (RFC 8259) and PostgreSQL refuses them."""
    raise ValueError(f"{name} is not a JSON value")


def finite(text: str) -> float:
    """json.loads(parse_float=…): a number too large for a float (1e400) would be stored as Infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range for a number")
    return value
