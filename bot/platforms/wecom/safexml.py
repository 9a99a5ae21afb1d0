"""Safe XML for WeCom callbacks: refuse DOCTYPE/ENTITY before parsing, then read a flat field map.

Expat expands internal entities, so a body with a DOCTYPE could blow up memory ("billion laughs").
WeCom never sends a DOCTYPE, so any body that carries one is refused before a parser sees it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from bot.errors import BadRequest

_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse(data: bytes, what: str = "body") -> ET.Element:
    """Parse untrusted XML after refusing DOCTYPE/ENTITY declarations; raise BadRequest if unsafe or malformed."""
    if _DANGEROUS.search(data):
        raise BadRequest(f"{what} declares a DOCTYPE or ENTITY; refused (entity expansion)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise BadRequest(f"{what} is not well-formed XML: {exc}") from exc


def fields(root: ET.Element) -> dict[str, Any]:
    """Return {tag: text} for the root's children; repeated sub-tags become lists, SelectedItems a list of dicts."""
    out: dict[str, Any] = {}
    for child in root:
        if child.tag == "SelectedItems":
            out["SelectedItems"] = [
                {"question_key": item.findtext("QuestionKey") or "",
                 "option_ids": [o.text or "" for o in item.iter("OptionId")]}
                for item in child.iter("SelectedItem")]
        elif len(child) and len({sub.tag for sub in child}) == 1 and len(child) > 1:
            out[child.tag] = [(sub.text or "").strip() for sub in child]  # a list such as MemChangeList
        elif len(child):
            out[child.tag] = {sub.tag: (sub.text or "").strip() for sub in child}
        else:
            out[child.tag] = (child.text or "").strip()
    return out
