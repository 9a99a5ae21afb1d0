"""check-config for [scorecard]: weights must sum to 1 with health ≥ 0.30, named by key with the fix."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.core.errors import ConfigError

GOOD = ('signed_amount = 0.3\nnew_customers = 0.1\nwins = 0.1\nconversion = 0.1\nstage_progress = 0.1\n'
        'nps = 0.1\nnew_customer_development = 0.1\nretention = 0.1\n')


def _problems(tmp_path, body: str) -> list[str]:
    path = tmp_path / "c.toml"
    path.write_text(body, "utf-8")
    try:
        load_settings(path, env={})
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_defaults_and_a_good_table_pass(tmp_path):
    assert _problems(tmp_path, "") == []
    assert _problems(tmp_path, "[scorecard.weights]\n" + GOOD) == []


@pytest.mark.parametrize(("body", "needle"), [
    (GOOD.replace("0.3", "0.4"), "weights sum to 1.10, not 1"),
    (GOOD.replace("signed_amount = 0.3", "signed_amount = 0.55").replace("retention = 0.1", "retention = 0.0")
     .replace("nps = 0.1", "nps = 0.05").replace("development = 0.1", "development = 0.0"),
     "health indicators weigh 0.25, under the 0.30 minimum"),
    (GOOD + "charm = 0.0\n", "unknown indicator(s) charm"),
])
def test_bad_weights_fail_naming_the_key(tmp_path, body, needle):
    problems = _problems(tmp_path, "[scorecard.weights]\n" + body)
    assert len(problems) == 1 and "[scorecard.weights]" in problems[0] and needle in problems[0]
    assert "fix:" in problems[0]


def test_other_scorecard_keys_are_checked(tmp_path):
    body = ('[schedule]\nscorecards_weekly = "monday"\n[scorecard]\nred_below = 70.0\ndeferred_share = 1.5\n'
            'benchmark_pack = "missing.toml"\nitems = [{name = "咖啡券"}]\n')
    text = "\n".join(_problems(tmp_path, body))
    for key in ("schedule.scorecards_weekly", "scorecard.red_below", "scorecard.deferred_share",
                "scorecard.benchmark_pack", "scorecard.items[0]"):
        assert f"[{key}]" in text


def test_check_config_exits_1_with_the_key(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text("[scorecard.weights]\n" + GOOD.replace("0.3", "0.4"), "utf-8")
    assert main(["check-config", "--config", str(path)]) == 1
    assert "[scorecard.weights] weights sum to 1.10" in capsys.readouterr().err
