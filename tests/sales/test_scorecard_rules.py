"""Pure rules: the dashboard sentence, lights, the bonus formula with deferral, the benchmark pack."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sales.benchmarks import PackError, dump_pack, parse_pack
from sales.bonus import BonusRules, Deferral, Statement, deferral_amount, terms
from sales.deviation import biggest, deviations, sentence
from sales.lights import light, week_label

PACK = Path(__file__).resolve().parents[2] / "packs" / "benchmarks" / "industries.toml"


def test_the_sentence_names_the_biggest_deviation_above_and_below():
    devs = deviations({"signed_amount": 137_000.0, "new_customers": 0.96, "wins": 2.0},
                      {"signed_amount": 100_000.0, "new_customers": 2.0, "wins": 2.0})
    assert sentence(devs) == "您的签单额高于团队均值37%，但新客户开发量低于均值52%。"
    assert biggest(devs) == "最大偏差：新客户开发量低于团队均值52%"
    assert sentence(deviations({"wins": 3.0, "signed_amount": 110.0}, {"wins": 2.0, "signed_amount": 100.0})) == \
        "您的赢单数高于团队均值50%，签单额也高于均值10%。"
    assert sentence([]).startswith("本月暂无数据")
    assert sentence(deviations({"wins": 2.02}, {"wins": 2.0})) == "您的各项指标都和团队均值相差不到5%。"


def test_lights_need_two_weeks_and_red_is_stricter():
    assert light(None, 10, 60, 45) == "" and light(50, None, 60, 45) == "green"
    assert light(50, 59, 60, 45) == "yellow" and light(40, 44, 60, 45) == "red" and light(40, 61, 60, 45) == "green"
    assert light(40, 50, 60, 45) == "yellow"
    assert week_label(datetime(2026, 11, 30, tzinfo=UTC)) == "2026-W48"


def test_bonus_formula_every_term_and_the_deferral():
    rules = BonusRules(0.02, 2000, 0.5, 1.2, 0.20)
    s = Statement(1, "李平", "2026-11", 255_000, 3, 80.0, rules,
                  pending=[Deferral(7, "新客A", deferral_amount(rules, 80.0))],
                  released=[Deferral(5, "老单", 300, "2026-10", "2026-11-03")])
    assert s.multiplier == 1.06 and s.commission == 5100 and s.new_part == 6000
    assert s.gross == round(11_100 * 1.06) and s.deferred == 424 and s.payable == s.gross - 424 + 300
    lines = dict(terms(s))
    assert lines["本月应发"] == f"¥{s.payable:,} = ¥{s.gross:,} − ¥424 + ¥300"
    assert "0.5 + (1.2 − 0.5) × 健康分/100" in lines["健康系数"]
    assert Statement(1, "x", "m", 0, 0, None, rules).multiplier == 1.0  # no health data: neither bonus nor malus


def test_pack_has_twelve_labelled_industries_and_round_trips():
    bench = parse_pack(PACK.read_text("utf-8"), str(PACK))
    assert len(bench.industries) == 13 and all(i.label for i in bench.industries.values())
    assert bench.of("医疗器械").key == "医疗健康" and bench.of("没听过的行业").key == "default"
    assert bench.stage_days("制造业", "needs") == 10 and bench.stage_days("制造业", "nonexistent") == 7
    again = parse_pack(dump_pack(bench, ["round trip"]))
    assert again.industries["金融"].conversion == bench.industries["金融"].conversion
    with pytest.raises(PackError, match=r"industries\.default"):
        parse_pack('[industries."金融"]\nconversion = 0.2\nnps = 1\n')
    with pytest.raises(PackError, match="conversion must be in"):
        parse_pack('[industries.default]\nconversion = 2\nnps = 1\n')
