"""The layers of DESIGN.md hold: who may import whom, no import cycle, no import inside a function to dodge one.

The graph is built from the source (top-level imports; `if TYPE_CHECKING:` blocks are type-only and skipped),
so a new module that breaks a rule fails here with the edge that broke it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "sales", "storage", "cards", "flows", "handlers", "scheduler")
SKIP = ("storage/migrations",)

# Which layers each layer may import (its own always). The shell (the rest of bot/) may import everything.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "sales": {"core"},
    "config": {"core", "sales"},
    "storage": {"core", "config", "sales"},
    "cards": {"core", "config", "sales"},
    "flows": {"core", "config", "sales", "storage", "cards"},
    "handlers": {"core", "config", "sales", "storage", "cards", "flows"},
    "scheduler": {"core", "config", "sales", "storage", "cards", "flows"},
    "platforms": {"core", "config", "sales", "storage", "cards"},
}

# Imports inside functions that are deliberate: loading a costly dependency only when it is needed (never a cycle).
LAZY: dict[str, str] = {
    "bot/cli/__init__.py": "each command loads what it needs; --help and check-config stay fast",
    "bot/cli/outbox.py": "the database layer loads only when a command needs it",
    "bot/serve.py": "Alembic loads only when the embedded database needs migrating",
    "storage/repos/inbox_writer.py": "only the database driver in use is imported",
}

# Modules named through bot/core/lazy.py's `library(...)`: imported at their first use, so `salesbot serve` starts
# without them (issue 20). Only heavy optional code belongs here: a proxy never stands in for a cycle.
LAZY_LIBRARIES: dict[str, str] = {
    "numpy": "grading: arrays",
    "scipy.optimize": "grading: the LTV model's fit",
    "scipy.special": "grading: the LTV model's formulas",
    "openpyxl": "reports, imports and exports in .xlsx",
    "openpyxl.utils.exceptions": "reading .xlsx",
    "bot.platforms.dingtalk.extras.stream": "the DingTalk Stream SDK (with requests and websockets), stream mode only",
}


def layer(module: str) -> str:
    """Name the layer a dotted module belongs to."""
    parts = module.split(".")
    if parts[0] != "bot":
        return parts[0]
    if len(parts) > 1 and parts[1] in ("core", "config", "platforms"):
        return parts[1]
    return "shell"


def modules() -> dict[str, Path]:
    """Every module of ours by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(SKIP):
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _top_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that `module` imports when it is loaded (its own ancestor packages excepted)."""
    out = set()
    for node in _top_level(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            if name in known and name != module and not module.startswith(name + "."):
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    """The import graph of our modules."""
    known = modules()
    return {m: imports_of(m, p, known) for m, p in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for start in g:
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_every_import_goes_down_the_layers() -> None:
    g = graph()
    bad = sorted(f"{a} ({layer(a)}) -> {b} ({layer(b)})" for a, targets in g.items() for b in targets
                 if layer(a) != "shell" and layer(b) != layer(a) and layer(b) not in ALLOWED[layer(a)])
    assert bad == [], "imports against DESIGN.md's layers:\n" + "\n".join(bad)


def test_no_import_cycle() -> None:
    found = cycles(graph())
    assert found == [], f"import cycles: {found}"


def test_no_package_level_cycle() -> None:
    g = graph()
    layers: dict[str, set[str]] = {}
    for a, targets in g.items():
        for b in targets:
            if layer(a) != layer(b):
                layers.setdefault(layer(a), set()).add(layer(b))
    layers.update({name: layers.get(name, set()) for name in {layer(m) for m in g}})
    assert cycles(layers) == []


# The kernel names two outer types for type checkers only (never at run time): the settings and the member row.
KERNEL_TYPE_ONLY = {"bot.config", "storage.models"}


def test_the_kernel_names_outer_types_only_for_type_checkers() -> None:
    known = modules()
    ours = set(PACKAGES)
    bad = []
    for module, path in known.items():
        if layer(module) != "core":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ours \
                    and not node.module.startswith("bot.core") and node.module not in KERNEL_TYPE_ONLY:
                bad.append(f"{module}: {node.module}")
    assert bad == []


def test_lazy_libraries_are_the_listed_heavy_ones() -> None:
    named = {}
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "library" and node.args:
                named[ast.literal_eval(node.args[0])] = path.relative_to(ROOT).as_posix()
    assert set(named) == set(LAZY_LIBRARIES), named


def test_no_import_inside_a_function_except_deliberate_lazy_loads() -> None:
    bad = []
    for path in modules().values():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module and inner.module.split(".")[0] in PACKAGES \
                        and rel not in LAZY:
                    bad.append(f"{rel}:{inner.lineno} {inner.module}")
    assert bad == [], "imports inside functions:\n" + "\n".join(bad)
