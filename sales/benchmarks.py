"""Industry benchmarks (stage dwell days, lead→opportunity conversion, NPS): parse and look up a pack (no I/O).

A pack is TOML: `name`, `note`, then one `[industries.<名称>]` table per industry with `label`, `aliases`
(the words customers' `industry` field may use), `conversion` (0–1), `nps` (−100…100) and `stage_days`
({stage key = days}). `[industries.default]` answers for any industry the pack does not name.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

DEFAULT = "default"


class PackError(ValueError):
    """A benchmark pack that cannot be used; the message says where and how to fix it."""


@dataclass(frozen=True)
class IndustryBenchmark:
    """The benchmark numbers of one industry."""

    key: str
    label: str
    conversion: float
    nps: float
    stage_days: dict[str, float]
    aliases: tuple[str, ...] = ()


@dataclass
class Benchmarks:
    """A loaded pack: look-ups by a customer's industry word, falling back to `default`."""

    name: str
    industries: dict[str, IndustryBenchmark]
    note: str = ""
    _by_word: dict[str, IndustryBenchmark] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for ind in self.industries.values():
            for word in (ind.key, ind.label, *ind.aliases):
                self._by_word.setdefault(word, ind)

    def of(self, industry: str) -> IndustryBenchmark:
        """Return the benchmark of an industry word (exact, then by containment), else the default."""
        word = (industry or "").strip()
        found = self._by_word.get(word)
        if found is None and word:
            found = next((i for w, i in self._by_word.items() if w and (w in word or word in w)), None)
        return found or self.industries[DEFAULT]

    def conversion(self, industry: str) -> float:
        """Return the industry's lead→opportunity conversion rate."""
        return self.of(industry).conversion

    def nps(self, industry: str) -> float:
        """Return the industry's NPS."""
        return self.of(industry).nps

    def stage_days(self, industry: str, stage: str) -> float:
        """Return the industry's usual days in a stage (the default industry's when it names none)."""
        days = self.of(industry).stage_days.get(stage)
        return days if days else self.industries[DEFAULT].stage_days.get(stage, 7.0)


def parse_pack(text: str, where: str = "<pack>") -> Benchmarks:
    """Parse a pack; raise PackError naming the file, the industry and the fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{where}: not valid TOML ({exc}); correct the syntax at the line shown") from exc
    tables = raw.get("industries")
    if not isinstance(tables, dict) or DEFAULT not in tables:
        raise PackError(f"{where}: needs [industries.default]; add it (it answers for unlisted industries)")
    return Benchmarks(str(raw.get("name", where)), {k: _industry(where, k, v) for k, v in tables.items()},
                      str(raw.get("note", "")))


def _industry(where: str, key: str, raw: Any) -> IndustryBenchmark:
    if not isinstance(raw, dict):
        raise PackError(f"{where}: [industries.{key}] must be a table")
    try:
        conv, nps = float(raw["conversion"]), float(raw["nps"])
        days = {str(s): float(d) for s, d in dict(raw.get("stage_days", {})).items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise PackError(f"{where}: [industries.{key}] needs conversion (0–1), nps (−100…100) and stage_days "
                        f"= {{needs = 7, …}} ({exc})") from None
    if not 0 < conv <= 1 or not -100 <= nps <= 100 or any(d <= 0 for d in days.values()):
        raise PackError(f"{where}: [industries.{key}] conversion must be in (0, 1], nps in −100…100, "
                        "stage_days positive; correct the numbers")
    return IndustryBenchmark(key, str(raw.get("label", key)), conv, nps, days,
                             tuple(str(a) for a in raw.get("aliases", [])))


def dump_pack(bench: Benchmarks, header: list[str]) -> str:
    """Write a pack back as TOML (calibrate's output), with `header` as comment lines."""
    lines = [f"# {h}" for h in header] + [f'name = "{bench.name}"', f'note = "{bench.note}"', ""]
    for ind in bench.industries.values():
        days = ", ".join(f"{s} = {round(d, 1)}" for s, d in ind.stage_days.items())
        aliases = ", ".join(f'"{a}"' for a in ind.aliases)
        lines += [f'[industries."{ind.key}"]', f'label = "{ind.label}"', f"aliases = [{aliases}]",
                  f"conversion = {round(ind.conversion, 3)}", f"nps = {round(ind.nps, 1)}",
                  f"stage_days = {{{days}}}", ""]
    return "\n".join(lines)
