"""Every platform package has one shape: the same top-level files, a Platform in the registry, no module state."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.platforms import registry

ROOT = Path(__file__).resolve().parents[2]
PLATFORMS = ROOT / "bot" / "platforms"
PACKAGES = ("wecom", "dingtalk", "feishu", "playground", "intake")
SHAPE = {"__init__.py", "adapter.py", "api.py", "render.py", "routes.py", "platform.py", "extras"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def test_every_package_has_the_same_top_level_files():
    for name in PACKAGES:
        found = {p.name for p in (PLATFORMS / name).iterdir() if p.name != "__pycache__"}
        assert found == SHAPE, (name, found ^ SHAPE)
        assert (PLATFORMS / name / "extras" / "__init__.py").exists(), name


def test_the_registry_lists_each_package_once_by_its_folder_name():
    assert [p.name for p in registry.PLATFORMS] == list(PACKAGES)
    for platform in registry.PLATFORMS:
        assert type(platform).__module__ == "bot.platforms.base"


def test_package_inits_are_docstrings_only():
    for init in [PLATFORMS / "__init__.py", *(PLATFORMS / name / "__init__.py" for name in PACKAGES)]:
        body = _tree(init).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), init


def test_no_import_inside_a_function_and_no_module_state_set_from_functions():
    bad = []
    for path in PLATFORMS.rglob("*.py"):
        for fn in ast.walk(_tree(path)):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                bad += [f"{path.relative_to(ROOT)}:{n.lineno} {type(n).__name__}" for n in ast.walk(fn)
                        if isinstance(n, ast.Import | ast.ImportFrom | ast.Global)]
    assert bad == []


def test_two_jinja_environments_at_most_one_for_cards_one_for_pages():
    made = []
    for package in ("bot", "cards", "flows", "handlers", "scheduler", "storage", "sales"):
        for path in (ROOT / package).rglob("*.py"):
            made += [path.relative_to(ROOT).as_posix() for n in ast.walk(_tree(path)) if isinstance(n, ast.Call)
                     and getattr(n.func, "id", getattr(n.func, "attr", "")) == "Environment"]
    assert sorted(made) == ["bot/web/pages.py", "cards/render.py"]


def test_importing_a_shared_module_imports_no_platform():
    code = ("import sys, bot.platforms.tokens, bot.platforms.http; "
            "print(sorted({m.split('.')[2] for m in sys.modules if m.startswith('bot.platforms.')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert not set(ast.literal_eval(out)) & set(PACKAGES), out
