"""[opportunities] configuration: defaults, and every problem named with its fix."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError


def _load(tmp_path, body: str):
    path = tmp_path / "c.toml"
    path.write_text("[opportunities]\n" + body, "utf-8")
    return load_settings(path, env={})


def test_defaults_are_the_seed(tmp_path):
    o = _load(tmp_path, "").opportunities
    assert (o.stages, o.approval, o.discount_threshold, o.approval_stage) == ([], "discount", 15.0, "quote")
    assert "其他" in o.won_reasons and "选了竞品" in o.lost_reasons


def test_custom_stages_load(tmp_path):
    o = _load(tmp_path, 'approval_stage = "b"\nstages = [{key = "a", name = "甲", evidence = ["纪要"]},'
                        ' {key = "b", name = "乙"}]\n').opportunities
    assert [s["key"] for s in o.stages] == ["a", "b"]


@pytest.mark.parametrize(("body", "key", "fragment"), [
    ('approval = "sometimes"\n', "opportunities.approval", "is not a mode"),
    ("discount_threshold = 120\n", "opportunities.discount_threshold", "percent off"),
    ('approval_stage = "needs"\n', "opportunities.approval_stage", "not a stage after the first"),
    ("lost_reasons = []\n", "opportunities.lost_reasons", "non-empty list"),
    ('stages = [{key = "a"}]\n', "opportunities.stages", "name is required"),
])
def test_problems_name_the_key_and_the_fix(tmp_path, body, key, fragment):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, body)
    problems = [p for p in info.value.problems if p.key == key]
    assert problems and fragment in problems[0].problem and problems[0].fix


def test_the_example_config_is_valid():
    from pathlib import Path

    example = Path(__file__).resolve().parents[3] / "config.example.toml"
    assert load_settings(example, env={}).opportunities.approval == "discount"
