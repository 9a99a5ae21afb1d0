"""check-config for [grading]: overlapping thresholds, unknown sources and grades, ranges, the plan pack."""

from __future__ import annotations

from bot.cli import main
from bot.config import load_settings, validate


def _keys(settings) -> list[str]:
    return [p.key for p in validate(settings) if p.key.startswith(("grading", "schedule.grading"))]


def test_defaults_are_valid():
    assert _keys(load_settings(env={})) == []


def test_overlapping_thresholds_and_bad_values_are_named():
    s = load_settings(env={})
    s.grading.thresholds = {"制造": {"value_high": 100000, "value_low": 200000}, "医疗": {"activity_low": 3},
                            "教育": {"valu_high": 1}}
    s.grading.weights = {"visit": 5, "telepathy": 1, "call": -1}
    s.grading.cadence = {"A": {"count": 1}, "战略伙伴": {"count": 2, "days": 0}}
    s.grading.value_quantile = 1.5
    s.grading.activation_pack = "packs/grading/missing.toml"
    problems = {p.key: p for p in validate(s)}
    overlap = problems['grading.thresholds."制造".value_low']
    assert "overlap" in overlap.problem and "value_low ≤ value_high" in overlap.fix
    for key in ('grading.thresholds."医疗".activity_low', 'grading.thresholds."教育".valu_high',
                "grading.weights.telepathy", "grading.weights.call", 'grading.cadence."A"',
                'grading.cadence."战略伙伴".days', "grading.value_quantile", "grading.activation_pack"):
        assert key in problems, key


def test_check_config_command_lists_the_key(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[grading.thresholds."制造"]\nvalue_high = 100\nvalue_low = 500\n', encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == 1
    assert 'grading.thresholds."制造".value_low' in capsys.readouterr().err
