"""The attack playbook (攻坚剧本) as data: scenarios → strategies → action checklists; sales/playbook.py reads packs."""

from __future__ import annotations

import re
from dataclasses import dataclass

STANDARD = "standard"  # the key of the standard checklist for new reps (a pack's [standard] table)


@dataclass(frozen=True)
class Step:
    """One concrete action of a checklist, due `due_days` after the strategy was chosen."""

    title: str
    due_days: int = 1


@dataclass(frozen=True)
class Strategy:
    """A way to attack a scenario and its checklist."""

    key: str
    name: str
    why: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Rules:
    """Phrase rules: plain phrases and patterns that mean the scenario, and patterns that cancel it."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A hard situation with its strategies and the phrases that reveal it."""

    key: str
    name: str
    aliases: tuple[str, ...]
    strategies: tuple[Strategy, ...]
    rules: Rules

    def strategy(self, key: str) -> Strategy | None:
        """Return the strategy with this key."""
        return next((s for s in self.strategies if s.key == key), None)


@dataclass(frozen=True)
class Playbook:
    """All scenarios of a pack, plus the standard checklist for new reps."""

    name: str
    scenarios: tuple[Scenario, ...]
    standard: Strategy | None = None

    def scenario(self, key: str) -> Scenario | None:
        """Return the scenario with this key."""
        return next((s for s in self.scenarios if s.key == key), None)

    def find(self, words: str) -> Scenario | None:
        """Return the scenario a rep means by `words`: its key, name or an alias, exact first, then contained."""
        w = words.strip().lower()
        if not w:
            return None
        names = [(s, [s.key, s.name.lower(), *(a.lower() for a in s.aliases)]) for s in self.scenarios]
        exact = next((s for s, ns in names if w in ns), None)
        return exact or next((s for s, ns in names if any(n and (n in w or w in n) for n in ns)), None)
