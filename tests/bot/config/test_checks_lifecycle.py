"""check-config names each bad lifecycle key ([pool], [leads] max_reassign, [schedule] pool_reclaim) and its fix."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.config.checks import check_all


def _keys(**changes) -> dict[str, str]:
    s = load_settings(Path(__file__).resolve().parents[3] / "config.example.toml", env={})
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        setattr(getattr(s, section), key, value)
    return {p.key: p.fix for p in check_all(s)}


def test_the_example_config_is_clean():
    assert _keys() == {}


def test_bad_pool_keys_are_named_with_their_fix():
    found = _keys(pool__max_claims_per_day=0, pool__warn_days_before=40, leads__max_reassign=-1,
                  schedule__pool_reclaim="2am", pool__reclaim_days_by_grade={"VIP": 10, "战略伙伴": 0})
    assert set(found) == {"pool.max_claims_per_day", "pool.warn_days_before", "leads.max_reassign",
                          "schedule.pool_reclaim", "pool.reclaim_days_by_grade.VIP",
                          "pool.reclaim_days_by_grade.战略伙伴"}
    assert "战略伙伴" in found["pool.reclaim_days_by_grade.VIP"]
