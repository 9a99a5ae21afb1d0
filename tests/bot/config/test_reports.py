"""check-config for [reports] and [schedule] root_cause: each problem names the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError


def test_defaults_are_valid_and_documented():
    s = load_settings(env={})
    assert s.reports.dormant_days == 30 and s.schedule.root_cause == "mon 08:00"
    example = (Path(__file__).parents[3] / "config.example.toml").read_text("utf-8")
    for key in ("product_lines", "dormant_days", "link_ttl_days", "root_cause_min_leads", "churn_days", "root_cause"):
        assert f"\n{key} = " in example


@pytest.mark.parametrize(("env", "key"), [
    ({"SALESBOT__SCHEDULE__ROOT_CAUSE": "monday"}, "schedule.root_cause"),
    ({"SALESBOT__REPORTS__DORMANT_DAYS": "0"}, "reports.dormant_days"),
    ({"SALESBOT__REPORTS__LINK_TTL_DAYS": "365"}, "reports.link_ttl_days"),
    ({"SALESBOT__REPORTS__PRODUCT_LINES": '{医疗 = ""}'}, "reports.product_lines"),
])
def test_bad_values_name_the_key_and_the_fix(env, key):
    with pytest.raises(ConfigError) as err:
        load_settings(env=env)
    text = str(err.value)
    assert f"[{key}]" in text and "fix:" in text
