"""Objection detection: which attack scenario a rep's words reveal ("客户说预算不够" → 客户说预算不足).

Each scenario of the playbook carries phrase rules (sales/playbook_model.py Rules). A scenario matches when one
of its phrases or patterns is found in the normalized text and none of its `exclude` patterns is; the
scenario with the most matched characters wins (ties: pack order). Small talk matches nothing, so the
bot offers nothing. Precision and recall on tests/data/objections.tsv are measured by the tests.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sales.playbook_model import Playbook, Scenario

_SPACE = re.compile(r"\s+")
MAX_CHARS = 500  # a long note is scanned only at its start; objections are said early and briefly


@dataclass(frozen=True)
class Detection:
    """The scenario a text reveals, and the words that gave it away."""

    scenario: Scenario
    heard: str
    score: int


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces: how phrase rules see a text."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower())


def _hits(scenario: Scenario, text: str) -> list[str]:
    rules = scenario.rules
    if any(p.search(text) for p in rules.exclude):
        return []
    found = [p for p in rules.phrases if p in text]
    found += [m.group(0) for p in rules.patterns if (m := p.search(text))]
    return found


def detect(text: str, book: Playbook) -> Detection | None:
    """Return the scenario the text is about, or None (small talk, near-misses, plain work talk)."""
    norm = normalize(text)
    if not norm:
        return None
    best: Detection | None = None
    for scenario in book.scenarios:
        found = _hits(scenario, norm)
        if not found:
            continue
        score = sum(len(h) for h in found)
        if best is None or score > best.score:
            best = Detection(scenario, max(found, key=len), score)
    return best
