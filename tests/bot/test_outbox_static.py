"""The one way out, kept by the source: only bot/outbox.py writes messages into the outbox, and only the queue
repositories set when a row is due (quiet hours are decided before the row is written, never by an UPDATE)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("bot", "cards", "flows", "handlers", "sales", "scheduler", "storage")
WRITES = re.compile(r"\boutbox\.enqueue(_many)?\(")


def _sources() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for top in SHIPPED
            for p in (ROOT / top).rglob("*.py")}


def test_only_the_rendering_outbox_queues_messages():
    writers = sorted(path for path, text in _sources().items() if WRITES.search(text))
    assert writers == ["bot/outbox.py"]


def test_only_the_queue_repositories_set_when_a_row_is_due():
    setters = sorted(path for path, text in _sources().items()
                     if "next_attempt_at" in text and "/migrations/" not in path and "/models" not in path)
    assert setters == ["storage/repos/dead_letters.py", "storage/repos/outbox.py", "storage/repos/outbox_claims.py",
                       "storage/repos/task_queue.py"]
