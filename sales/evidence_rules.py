"""What counts as evidence for an item (no I/O): a link, a file or image, or a note of at least N characters.

A rule is written in `[opportunities] stages` as `accepts = {"会议纪要" = "link|file|note:20"}`: any of the
listed forms satisfies the item. Items without a rule take DEFAULT, so "凭证 好" never satisfies anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT = "link|file|note:10"
_URL = re.compile(r"https?://\S+")
_PART = re.compile(r"^(link|file|note(?::(\d{1,4}))?)$")


@dataclass(frozen=True)
class Rule:
    """The forms an item accepts."""

    link: bool = False
    file: bool = False
    note_chars: int | None = None  # None: a note alone never counts

    def accepts(self, media_kind: str, text: str) -> bool:
        """True when this piece (image / file / a text with or without a link) satisfies the item."""
        if media_kind in ("image", "file"):
            return self.file
        if _URL.search(text):
            return self.link or (self.note_chars is not None and len(text.strip()) >= self.note_chars)
        return self.note_chars is not None and len(text.strip()) >= self.note_chars

    def describe(self) -> str:
        """Say in Chinese what is needed: "链接、文件或图片，或至少 20 字的说明"."""
        forms = [x for x, on in (("链接", self.link), ("文件或图片", self.file)) if on]
        if self.note_chars is not None:
            forms.append(f"至少 {self.note_chars} 字的说明")
        return "，或".join(["、".join(forms[:-1]), forms[-1]] if len(forms) > 1 else forms)


def parse(spec: str) -> Rule | str:
    """Read "link|file|note:20"; return what is wrong as a sentence."""
    parts = [p.strip() for p in str(spec).split("|") if p.strip()]
    if not parts:
        return "is empty; write e.g. \"link|file|note:20\""
    link = file = False
    chars = None
    for part in parts:
        m = _PART.match(part)
        if not m:
            return f"{part!r} is not link, file or note:N (N = the fewest characters of a note)"
        link, file = link or part == "link", file or part == "file"
        if part.startswith("note"):
            chars = int(m.group(2) or 1)
    return Rule(link, file, chars)


DEFAULT_RULE: Rule = parse(DEFAULT)  # type: ignore[assignment]
