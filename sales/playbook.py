"""Reading an attack playbook (攻坚剧本) pack: scenarios → strategies → action checklists (sales/playbook_model.py).

A pack (see packs/playbooks/default.toml) has an optional `[standard]` checklist for new reps and
`[[scenario]]` tables, each with phrase rules and `[[scenario.strategy]]` tables whose `actions` list
says what to do and when (`due_days` after the strategy was chosen). `parse_pack` checks everything and
raises PackError listing every problem with the line it is on and how to fix it.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from typing import Any

from sales.playbook_lines import locate
from sales.playbook_model import STANDARD, Playbook, Rules, Scenario, Step, Strategy

KEY = re.compile(r"^[a-z0-9_-]{1,20}$")
MAX_STRATEGIES = 6  # the strategy choice card has one button per strategy; WeCom shows at most 6
MAX_ACTIONS = 10
MAX_TITLE = 60
Path = tuple[str | int, ...]  # where in the pack: ("scenario", 0, "strategy", 1, "actions")
EXAMPLE_ACTION = 'actions = [{ title = "发送行业ROI测算模板", due_days = 1 }]'


class PackError(ValueError):
    """A pack that cannot be used; `problems` are "<origin> line N: what is wrong — how to fix it"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@lru_cache(maxsize=8)
def parse_pack(source: str, origin: str = "playbook") -> Playbook:
    """Parse and check a pack's TOML text; raise PackError naming every problem's line and fix."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = f"line {found.group(1)}" if found else "line 1"
        raise PackError([f"{origin} {where}: not valid TOML ({exc}) — check quotes, brackets and the commas "
                         "between list items on that line"]) from None
    checker = _Checker(source, origin)
    book = checker.book(data)
    if checker.problems:
        raise PackError(checker.problems)
    return book


class _Checker:
    """Walk the parsed pack, collecting problems with their lines instead of stopping at the first."""

    def __init__(self, source: str, origin: str) -> None:
        self.source, self.origin = source, origin
        self.problems: list[str] = []

    def fail(self, path: Path, what: str, fix: str) -> None:
        self.problems.append(f"{self.origin} line {locate(self.source, path)}: {what} — {fix}")

    def book(self, data: dict[str, Any]) -> Playbook:
        unknown = sorted(set(data) - {"name", "standard", "scenario"})
        for key in unknown:
            self.fail((key,), f"unknown top-level key {key!r}", "use only name, [standard] and [[scenario]]")
        raw = data.get("scenario")
        if not isinstance(raw, list) or not raw:
            self.fail(("scenario",), "no [[scenario]] tables", "add at least one, see packs/playbooks/default.toml")
            raw = []
        scenarios = [s for i, r in enumerate(raw) if (s := self.scenario(r, i)) is not None]
        self.duplicates([s.key for s in scenarios], ("scenario",), "scenario")
        standard = None
        if "standard" in data:
            standard = self.strategy(data["standard"], ("standard",), STANDARD, fixed_key=True)
        return Playbook(str(data.get("name") or "playbook"), tuple(scenarios), standard)

    def duplicates(self, keys: list[str], path: Path, what: str) -> None:
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key in seen:
                self.fail((*path, i, "key"), f"{what} key {key!r} appears twice", "give each one its own key")
            seen.add(key)

    def text(self, raw: dict[str, Any], path: Path, field: str, limit: int, required: bool = True) -> str:
        value = raw.get(field, "")
        if not isinstance(value, str) or (required and not value.strip()) or len(value.strip()) > limit:
            need = "is required: " if required else "must be "
            self.fail((*path, field), f"{field} {need}text of at most {limit} characters",
                      f'write {field} = "…" in this table')
            return ""
        return value.strip()

    def key(self, raw: dict[str, Any], path: Path) -> str:
        value = raw.get("key")
        if not isinstance(value, str) or not KEY.match(value):
            self.fail((*path, "key"), f"key {value!r} is not a short identifier",
                      'use 1-20 lower-case letters, digits, "_" or "-", e.g. key = "budget"')
            return ""
        return value

    def words(self, raw: dict[str, Any], path: Path, field: str) -> tuple[str, ...]:
        value = raw.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail((*path, field), f"{field} must be a list of non-empty texts", f'write {field} = ["…", "…"]')
            return ()
        return tuple(v.strip() for v in value)

    def regexes(self, raw: dict[str, Any], path: Path, field: str) -> tuple[re.Pattern[str], ...]:
        out: list[re.Pattern[str]] = []
        for i, pattern in enumerate(self.words(raw, path, field)):
            try:
                out.append(re.compile(pattern))
            except re.error as exc:
                self.fail((*path, field, i), f"{field} entry {pattern!r} is not a valid regular expression ({exc})",
                          "fix the brackets or escape special characters with \\\\")
        return tuple(out)

    def scenario(self, raw: object, i: int) -> Scenario | None:
        path = ("scenario", i)
        if not isinstance(raw, dict):
            self.fail(path, "a scenario must be a table", "write it as a [[scenario]] table")
            return None
        unknown = sorted(set(raw) - {"key", "name", "aliases", "phrases", "patterns", "exclude", "strategy"})
        for field in unknown:
            self.fail((*path, field), f"unknown scenario field {field!r}",
                      "use key, name, aliases, phrases, patterns, exclude and [[scenario.strategy]]")
        key, name = self.key(raw, path), self.text(raw, path, "name", 40)
        rules = Rules(tuple(p.lower() for p in self.words(raw, path, "phrases")),
                      self.regexes(raw, path, "patterns"), self.regexes(raw, path, "exclude"))
        strategies = self.strategies(raw.get("strategy"), path, name or key)
        return Scenario(key, name, self.words(raw, path, "aliases"), strategies, rules)

    def strategies(self, raw: object, path: Path, label: str) -> tuple[Strategy, ...]:
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_STRATEGIES:
            self.fail(path, f"scenario {label!r} needs 1 to {MAX_STRATEGIES} strategies",
                      "add [[scenario.strategy]] tables under it (the default pack has 3 each)")
            return ()
        out = [s for j, r in enumerate(raw) if (s := self.strategy(r, (*path, "strategy", j))) is not None]
        self.duplicates([s.key for s in out], (*path, "strategy"), "strategy")
        return tuple(out)

    def strategy(self, raw: object, path: Path, key: str = "", fixed_key: bool = False) -> Strategy | None:
        if not isinstance(raw, dict):
            self.fail(path, "a strategy must be a table", "write [[scenario.strategy]] or [standard]")
            return None
        allowed = {"name", "why", "actions"} | (set() if fixed_key else {"key"})
        for field in sorted(set(raw) - allowed):
            self.fail((*path, field), f"unknown field {field!r}", f"use {', '.join(sorted(allowed))}")
        key = key if fixed_key else self.key(raw, path)
        name, why = self.text(raw, path, "name", 40), self.text(raw, path, "why", 80, required=False)
        return Strategy(key, name, why, self.steps(raw.get("actions"), (*path, "actions"), name or key))

    def steps(self, raw: object, path: Path, label: str) -> tuple[Step, ...]:
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ACTIONS:
            self.fail(path, f"{label!r} needs 1 to {MAX_ACTIONS} actions", f"write {EXAMPLE_ACTION}")
            return ()
        out, seen = [], set()
        for k, item in enumerate(raw):
            step = self.step(item, (*path, k))
            if step and step.title in seen:
                self.fail((*path, k), f"action {step.title!r} appears twice", "list each action once")
            elif step:
                seen.add(step.title)
                out.append(step)
        return tuple(out)

    def step(self, raw: object, path: Path) -> Step | None:
        if not isinstance(raw, dict) or set(raw) - {"title", "due_days"}:
            self.fail(path, "an action must be { title = \"…\", due_days = N } and nothing else",
                      f"write it like {EXAMPLE_ACTION}")
            return None
        title, due = raw.get("title"), raw.get("due_days", 1)
        if not isinstance(title, str) or not title.strip() or len(title.strip()) > MAX_TITLE:
            self.fail(path, f"action title must be text of 1 to {MAX_TITLE} characters", "shorten or fill it in")
            return None
        if isinstance(due, bool) or not isinstance(due, int) or not 0 <= due <= 60:
            self.fail(path, f"due_days of {title!r} must be a whole number of days from 0 to 60", "e.g. due_days = 3")
            return None
        return Step(title.strip(), due)
