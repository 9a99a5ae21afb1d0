"""Safe XML for WeCom callbacks: UTF-8 only, no DOCTYPE/ENTITY, checked before parsing; then a flat field map.

Expat expands internal entities, so a body with a DOCTYPE could blow up memory ("billion laughs").
WeCom never sends a DOCTYPE, so any body that carries one is refused before a parser sees it. The
check reads bytes, so the body must be UTF-8 for it to see anything: expat would otherwise honour a
UTF-16 byte-order mark (or guess UTF-16 from "<\0?\0") or an `encoding="…"` declaration, and a
DOCTYPE spelled in UTF-16 slipped past a byte search. So: strict UTF-8, no NUL, no BOM other than
UTF-8's, and no declared encoding other than UTF-8 — all before the signature check and the parser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from bot.core.errors import BadRequest

_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)


def require_utf8(data: bytes, what: str = "body") -> None:
    """Refuse XML that is not plain UTF-8 (other encodings would hide a DOCTYPE from the byte check)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"{what} is not UTF-8; WeCom sends UTF-8 XML only") from None
    if b"\0" in data:
        raise BadRequest(f"{what} contains NUL bytes (UTF-16?); WeCom sends UTF-8 XML only")
    declared = _DECLARED.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise BadRequest(f"{what} declares encoding {declared.group(1)[:20].decode('ascii', 'replace')!r}; "
                         "only UTF-8 is accepted")


def parse(data: bytes, what: str = "body") -> ET.Element:
    """Parse untrusted XML after refusing non-UTF-8 bodies and DOCTYPE/ENTITY; raise BadRequest if unsafe."""
    require_utf8(data, what)
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
