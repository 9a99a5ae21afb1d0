"""The nesting bound of untrusted JSON (kernel: adapters, intake and payload parsing share it)."""

from __future__ import annotations

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
