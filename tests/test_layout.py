"""Tests mirror the source (tests/README.md): tests/a/b/test_c.py, or tests/a/b/test_c_<topic>.py, tests a/b/c.py.

A test of a package as a whole names the package: tests/bot/test_config.py tests bot/config/. Only the folders in
CROSS_CUTTING hold tests that span many modules, and only the whole-tree checks in TOP_LEVEL sit in tests/ itself.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CROSS_CUTTING = {
    "journeys": "end-to-end stories through the playground or a platform, many modules at once",
    "fidelity": "every card on every renderer at once (no content lost, no English)",
    "browser": "pages in a real Chromium",
}
TOP_LEVEL = {"test_layers.py", "test_layout.py"}  # checks of the whole source tree


def subject(test: Path) -> Path | None:
    """The source module (or package __init__.py) a test file names by the rule, or None."""
    folder = ROOT / test.parent.relative_to(TESTS)
    words = test.stem.removeprefix("test_").split("_")
    for n in range(len(words), 0, -1):
        name = "_".join(words[:n])
        for source in (folder / f"{name}.py", folder / name / "__init__.py"):
            if source.is_file():
                return source
    return None


def closer(test: Path, source: Path) -> Path | None:
    """Where a test named after a package and its module belongs: test_config_grading -> config/test_grading."""
    prefix = f"test_{source.parent.name}_"
    if source.name != "__init__.py" or not test.stem.startswith(prefix):
        return None
    inside = test.parent / source.parent.name / f"test_{test.stem.removeprefix(prefix)}.py"
    found = subject(inside)
    return (closer(inside, found) or inside) if found else None


def mirrored() -> list[Path]:
    """Every test file the rule covers: all but the cross-cutting folders' and the top-level checks."""
    tests = []
    for path in sorted(TESTS.rglob("test_*.py")):
        rel = path.relative_to(TESTS)
        if rel.parts[0] in CROSS_CUTTING or (len(rel.parts) == 1 and rel.name in TOP_LEVEL):
            continue
        tests.append(path)
    return tests


def test_every_test_file_names_the_module_it_tests():
    lost = [path.relative_to(ROOT).as_posix() for path in mirrored() if subject(path) is None]
    assert not lost, (
        "these test files name no source module: a test of a/b/c.py lives at tests/a/b/test_c.py or "
        f"tests/a/b/test_c_<topic>.py; one spanning many modules goes to a folder of {sorted(CROSS_CUTTING)} "
        f"(tests/README.md): {lost}")


def test_a_test_named_after_a_package_and_its_module_sits_in_the_package_folder():
    moves = {}
    for path in mirrored():
        source = subject(path)
        better = closer(path, source) if source else None
        if better:
            moves[path.relative_to(ROOT).as_posix()] = better.relative_to(ROOT).as_posix()
    assert not moves, f"move these next to their module: {moves}"


def test_every_folder_of_tests_is_a_package():
    # Test modules import each other by package path (tests.bot.platforms.wecom.conftest), and two folders may
    # each hold a test_routes.py: without __init__.py pytest would import both as the same top-level module.
    missing = sorted({p.parent.relative_to(ROOT).as_posix() for p in TESTS.rglob("*.py")
                      if not (p.parent / "__init__.py").exists()})
    assert not missing, f"add an empty __init__.py to: {missing}"


def test_the_rule_on_known_cases():
    def named(rel: str) -> str | None:
        found = subject(TESTS / rel)
        return found.relative_to(ROOT).as_posix() if found else None

    assert named("bot/web/test_me.py") == "bot/web/me.py"
    assert named("bot/web/test_me_actions.py") == "bot/web/me_actions.py"  # the longest name wins
    assert named("sales/test_stages_gates.py") == "sales/stages.py"  # a topic after the module's name
    assert named("bot/test_config.py") == "bot/config/__init__.py"  # the package as a whole
    assert named("reports/test_churn.py") is None  # no reports/ in the source
    assert named("test_slice.py") is None
    grading = TESTS / "bot" / "test_config_grading.py"
    assert closer(grading, ROOT / "bot" / "config" / "__init__.py") == TESTS / "bot" / "config" / "test_grading.py"
    assert closer(TESTS / "bot" / "test_cli_playbook.py", ROOT / "bot" / "cli" / "__init__.py") is None
