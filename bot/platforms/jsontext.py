"""`json.dumps(value, ensure_ascii=False, indent=2)`, the same text about twice as fast.

The previews (bot/platforms/<p>/extras/preview.py) show every payload's JSON under the card, and with an
indent the standard library falls back from its C encoder to a generator per container; a push of 10,000
cards pays that 10,000 times. Here each value is written in one recursive pass with the C string encoder.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

INDENT = "  "


def indented(value: Any) -> str:
    """Return `json.dumps(value, ensure_ascii=False, indent=2)`."""
    out: list[str] = []
    _write(value, out, "\n")
    return "".join(out)


def _write(value: Any, out: list[str], pad: str) -> None:
    """Append `value` at the nesting whose line breaks are `pad`; the checks go in json's own order."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, list | tuple):
        _list(value, out, pad)
    elif isinstance(value, dict):
        _dict(value, out, pad)
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _list(items: list | tuple, out: list[str], pad: str) -> None:
    if not items:
        out.append("[]")
        return
    inner = pad + INDENT
    out.append("[" + inner)
    for i, item in enumerate(items):
        if i:
            out.append("," + inner)
        _write(item, out, inner)
    out.append(pad + "]")


def _dict(items: dict, out: list[str], pad: str) -> None:
    if not items:
        out.append("{}")
        return
    inner = pad + INDENT
    out.append("{" + inner)
    for i, (key, item) in enumerate(items.items()):
        out.append(("," + inner if i else "") + encode_basestring(_key(key)) + ": ")
        _write(item, out, inner)
    out.append(pad + "}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A dict key as json writes it (json checks float before the booleans, and int after them)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
