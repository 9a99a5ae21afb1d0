"""A configuration problem (file, key, what is wrong, how to fix it) and the time formats the checks share."""

from __future__ import annotations

import re
from dataclasses import dataclass

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKLY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration, and how to fix it."""

    file: str
    key: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}: [{self.key}] {self.problem} — fix: {self.fix}"
