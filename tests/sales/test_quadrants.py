"""Activity score and quadrants: known answers, every quadrant, the hysteresis band, the dormant trigger."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from bot.core.vocab import Grade
from sales import activity, quadrants
from sales.activation import parse_plan


def test_activity_decays_by_half_life_and_explains_itself():
    sources = ["visit", "call"]
    a = activity.score(np.array([0, 0, 1]), sources, np.array([0, 1, 1]), np.array([0, 4, 0]), np.array([2, 1, 3]),
                       2, {"visit": 5.0, "call": 2.0}, 30.0)
    assert a.score[0] == pytest.approx(2 * 5 * 0.5 ** (3.5 / 30) + 2 * 0.5 ** (31.5 / 30))
    assert list(a.explain(0)) == ["visit", "call"] and a.explain(1) == {"call": round(3 * 2 * 0.5 ** (3.5 / 30), 2)}


def test_contact_events_and_chinese_kinds_map_to_sources():
    assert activity.source_of("im_contact_added") == "contact_event"
    assert activity.source_of("拜访") == "visit" and activity.source_of("evidence") == "evidence"
    edges = activity.bucket_edges(datetime(2026, 11, 27, tzinfo=UTC), 90)
    assert len(edges) == 13 and edges[0] == datetime(2026, 11, 20, tzinfo=UTC)


TABLE = {"制造": {"value": quadrants.Band(80.0, 100.0, "配置"), "activity": quadrants.Band(8.0, 10.0, "配置")}}


@pytest.mark.parametrize(("value", "act", "grade"), [(200, 20, Grade.STRATEGIC), (50, 20, Grade.GROWTH),
                                                     (200, 2, Grade.STEADY), (50, 2, Grade.DORMANT)])
def test_each_quadrant(value, act, grade):
    g, _, _ = quadrants.assign(np.array(["制造"]), np.array([float(value)]), np.array([float(act)]), np.array([""]),
                               TABLE)
    assert g[0] == grade


def test_inside_the_band_a_customer_keeps_its_side():
    current = np.array([Grade.STRATEGIC.value, Grade.DORMANT.value])
    g, _, _ = quadrants.assign(np.array(["制造", "制造"]), np.array([90.0, 90.0]), np.array([9.0, 9.0]), current, TABLE)
    assert list(g) == [Grade.STRATEGIC, Grade.DORMANT]


def test_quantile_thresholds_per_industry_when_unset_and_configured_ones_win():
    ind = np.array(["制造"] * 40 + ["医疗"] * 5)
    values = {"value": np.arange(45, dtype=float), "activity": np.ones(45)}
    table = quadrants.bands(ind, values, {"医疗": {"value_high": 1000, "activity_high": 3}},
                            {"value": 0.5, "activity": 0.5}, 30)
    assert table["制造"]["value"] == quadrants.Band(19.5, 19.5, "分位数")
    assert table["医疗"]["value"] == quadrants.Band(1000.0, 1000.0, "配置")


def test_dormant_fires_only_when_quiet_and_value_rising():
    fired = quadrants.dormant(np.array([31.0, 31.0, 5.0, 31.0]), np.array([110.0, 100.0, 200.0, 110.0]),
                              np.array([100.0, 100.0, 100.0, -1.0]), 30, 5.0)
    assert list(fired) == [True, False, False, False]  # the last one has no previous run to compare with


def test_activation_pack_is_checked():
    plan = parse_plan({"items": [{"name": "免费诊断报告", "how": "讲30分钟"}, {"name": "白皮书", "url": "https://x"}]})
    assert [i.name for i in plan.items] == ["免费诊断报告", "白皮书"]
    with pytest.raises(ValueError, match="no name"):
        parse_plan({"items": [{"how": "x"}]})
    with pytest.raises(ValueError, match="http"):
        parse_plan({"items": [{"name": "a", "url": "ftp://x"}]})
