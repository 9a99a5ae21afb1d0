"""The playbook pack: the default pack's content, scenario lookup, and load errors that name the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales.playbook import PackError, parse_pack

DEFAULT = Path(__file__).resolve().parents[2] / "packs" / "playbooks" / "default.toml"
SOURCE = DEFAULT.read_text("utf-8")


def _line_of(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


def _problems(source: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        parse_pack(source, "x.toml")
    return caught.value.problems


def test_default_pack_has_the_seed_scenarios_three_strategies_each_and_the_budget_checklist():
    book = parse_pack(SOURCE)
    names = ["客户说预算不足", "竞品已介入", "决策链复杂", "客户迟迟不回复", "要求大幅降价"]
    assert [s.name for s in book.scenarios] == names
    assert all(len(s.strategies) == 3 for s in book.scenarios)
    assert all(len(t.steps) >= 3 for s in book.scenarios for t in s.strategies)
    roi = book.scenario("budget").strategies[0]
    assert [a.title for a in roi.steps] == ["发送行业ROI测算模板", "预约财务负责人线上答疑", "提供分阶段付款方案"]
    assert [a.due_days for a in roi.steps] == [1, 3, 5]
    assert book.standard is not None and len(book.standard.steps) == 5
    assert all(s.rules.phrases and s.rules.patterns for s in book.scenarios)


@pytest.mark.parametrize(("words", "key"), [("预算不足", "budget"), ("客户说预算不足", "budget"), ("BUDGET", "budget"),
                                            ("竞品", "competitor"), ("拍板", "decision"), ("不回复", "silent"),
                                            ("降价", "discount"), ("客户要求大幅降价", "discount")])
def test_find_by_key_name_or_alias(words, key):
    assert parse_pack(SOURCE).find(words).key == key


def test_find_unknown_or_empty_is_none():
    book = parse_pack(SOURCE)
    assert book.find("天气") is None and book.find("  ") is None


def test_toml_syntax_error_names_its_line():
    broken = SOURCE.replace('key = "split"', 'key = "split')
    (problem,) = _problems(broken)
    line = _line_of(SOURCE, 'key = "split"')
    assert problem.startswith(f"x.toml line {line}: not valid TOML")
    assert "check quotes" in problem


def test_every_problem_is_listed_with_its_line_and_fix():
    bad = (SOURCE.replace('线上答疑", due_days = 3 }', '线上答疑", due_days = -3 }')
           .replace('key = "split"', 'key = "Split Me"')
           .replace('"(超|超出|超过)了?预算"', '"(超|超出|超过了?预算"')
           .replace('name = "竞品已介入"', 'name = "竞品已介入"\ncolour = "red"'))
    problems = _problems(bad)
    assert len(problems) == 4
    expect = {"due_days = -3": "whole number of days from 0 to 60 — e.g. due_days = 3",
              "Split Me": 'not a short identifier — use 1-20 lower-case letters',
              "(超|超出|超过了?预算": "not a valid regular expression",
              "colour": "unknown scenario field 'colour'"}
    for needle, words in expect.items():
        line = _line_of(bad, needle)
        assert any(p.startswith(f"x.toml line {line}:") and words in p for p in problems), (needle, problems)


def test_structure_problems_say_how_to_fix():
    no_actions = SOURCE.replace('''actions = [
  { title = "梳理客户最痛的1-2个需求", due_days = 1 },
  { title = "出一版只含核心模块的报价", due_days = 2 },
  { title = "约使用部门负责人确认一期范围", due_days = 4 },
  { title = "写清二期上线条件和时间", due_days = 6 },
]''', "actions = []")
    (problem,) = _problems(no_actions)
    assert problem.startswith(f"x.toml line {_line_of(no_actions, 'actions = []')}:")
    assert "needs 1 to 10 actions" in problem and 'actions = [{ title = "' in problem
    twice = SOURCE.replace('{ title = "提供分阶段付款方案"', '{ title = "发送行业ROI测算模板"')
    (problem,) = _problems(twice)
    assert f"line {_line_of(SOURCE, '提供分阶段付款方案')}:" in problem and "appears twice" in problem
    dup_key = SOURCE.replace('key = "competitor"', 'key = "budget"')
    (problem,) = _problems(dup_key)
    line = _line_of(SOURCE, 'key = "competitor"')
    assert f"line {line}:" in problem and "scenario key 'budget' appears twice" in problem


def test_empty_pack_and_unknown_top_level_keys():
    problems = _problems('name = "x"\nversion = 2\n')
    assert any("line 2: unknown top-level key 'version'" in p for p in problems)
    assert any("no [[scenario]] tables" in p and "packs/playbooks/default.toml" in p for p in problems)


def test_a_scenario_without_strategies_is_refused():
    (problem,) = _problems('[[scenario]]\nkey = "x"\nname = "某场景"\n')
    assert problem.startswith("x.toml line 1:") and "needs 1 to 6 strategies" in problem
