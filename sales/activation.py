"""The activation plan pack (packs/grading/activation.toml): parsed and checked, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlanItem:
    """One step of the plan: what to do, how, and the material to send (optional)."""

    name: str
    how: str = ""
    url: str = ""


@dataclass(frozen=True)
class Plan:
    """The plan a rep gets when a customer goes quiet while its value rises."""

    title: str
    intro: str
    items: tuple[PlanItem, ...]


def parse_plan(data: dict[str, Any]) -> Plan:
    """Build a Plan from the pack's TOML; raise ValueError saying what to fix."""
    raw = data.get("items")
    if not isinstance(raw, list) or not raw:
        raise ValueError("the activation pack has no [[items]]; add at least one with a name")
    items = []
    for n, item in enumerate(raw, 1):
        name = str(item.get("name", "")).strip() if isinstance(item, dict) else ""
        if not name:
            raise ValueError(f"item {n} of the activation pack has no name; give it name = \"…\"")
        url = str(item.get("url", "")).strip()
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"item {n} ({name}) url must start with http:// or https://")
        items.append(PlanItem(name[:60], str(item.get("how", "")).strip()[:200], url))
    return Plan(str(data.get("title", "休眠客户唤醒计划")), str(data.get("intro", "")), tuple(items))
