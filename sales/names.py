"""Normalization that makes "one customer, one owner" an index lookup, not a fuzzy scan."""

from __future__ import annotations

import re
import unicodedata

# Checked after punctuation is gone, repeatedly, so "万科集团有限公司" and "万科集团" meet at "万科".
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
             "coltd", "limited", "ltd", "inc", "corp", "company")
_NOISE = re.compile(r"[\s\-_·•.,，。()（）\[\]【】&+/'\"]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_company(name: str) -> str:
    """Fold width and case, drop punctuation and legal suffixes: "华东医疗（上海）有限公司" -> "华东医疗上海"."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", name or "").lower())
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[: -len(suffix)], True
                break
    return text


def normalize_mobile(raw: str | None) -> str | None:
    """Return the 11-digit mainland mobile, dropping +86/0086 and separators; None if it is not one."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if "+" in text and not re.match(r"^\(?\+86", text):
        return None  # another country's number, whatever its digits look like
    digits = re.sub(r"\D", "", text)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
    return digits if _MOBILE.match(digits) else None


def mask_mobile(mobile: str) -> str:
    """Mask the middle of a phone number for logs and cards: 138****5678."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 8 else "****"
