"""WeCom's size limits (wecom.md §3–4) and the cutters that keep every payload inside them.

Anything too long is shortened with "…" here, so WeCom never answers a card with a length error.
"""

from __future__ import annotations

import re

TITLE = 26          # main_title.title: 36 建议 for apps, 26 in the robot docs — the tighter one fits both
DESC = 30           # main_title.desc
SUB_TITLE = 160     # sub_title_text
SUB_LINE = 40       # our own cap per line of sub_title_text
KEYNAME = 5         # horizontal_content_list[].keyname
VALUE = 30          # horizontal_content_list[].value
HORIZONTAL = 6      # horizontal_content_list entries
BUTTONS = 6         # button_list entries
BUTTON_TEXT = 10    # button_list[].text
KEY_BYTES = 1024    # button key / EventKey
TASK_ID_BYTES = 128
TEXT_BYTES = 2048   # text.content
MARKDOWN_BYTES = 4096
SOURCE = 13         # source.desc
ELLIPSIS = "…"
TASK_ID_CHARS = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")


def cut(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters, ending with "…" when something was cut."""
    text = " ".join(str(text).split()) if "\n" not in str(text) else str(text).strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def cut_bytes(text: str, limit: int) -> str:
    """Shorten to at most `limit` UTF-8 bytes, never splitting a character, ending with "…"."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + ELLIPSIS


def valid_task_id(task_id: str) -> bool:
    """Say whether a task_id uses only WeCom's allowed characters and fits 128 bytes."""
    return bool(TASK_ID_CHARS.match(task_id))


class Windows:
    """Sliding one-minute send windows per key (a member, a webhook key) on an injectable monotonic clock."""

    def __init__(self, per_minute: int, monotonic) -> None:
        self.per_minute, self._mono = per_minute, monotonic
        self._sent: dict[str, list[float]] = {}

    def wait(self, key: str) -> float:
        """Return seconds until `key` may send again (0 when it may send now)."""
        now = self._mono()
        recent = [t for t in self._sent.get(key, []) if now - t < 60.0]
        self._sent[key] = recent
        return 0.0 if len(recent) < self.per_minute else recent[0] + 60.0 - now

    def record(self, key: str) -> None:
        """Note one send to `key`."""
        self._sent.setdefault(key, []).append(self._mono())


MORE_LINK = "查看完整内容"


def more_line(left: int) -> str:
    """The last line of a shortened card: how many lines are on its full view (tap the card)."""
    return f"{ELLIPSIS}另有 {left} 行，点卡片看全部"
