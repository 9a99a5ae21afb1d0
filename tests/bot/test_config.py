"""Configuration: defaults, every kind of problem with file/key/fix, env overrides, secrets never echoed."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigProblem, Settings, load_settings
from bot.core.errors import ConfigError

pytestmark = pytest.mark.usefixtures("cli_env")  # no stray SALESBOT__ variables, no ./config.toml

ROOT = Path(__file__).resolve().parents[2]

# Secret values that must never show up in any message, whatever their type.
LEAKS = ("987654321", "hook-secret-value", "dt-secret-XYZ", "feishu-app-secret-QQ")

EVERYTHING_WRONG = """
playground = true

[wecomm]
secret = "typo-section"

[server]
host = "0.0.0.0"
port = 70000
public_url = "ftp://bot.example.com"
max_body_bytes = 10

[database]
url = "mysql://user:pw@db/sales"

[org]
timezone = "Mars/Olympus_Mons"
quiet_hours = "22-8"
bot_name = "   "
colour = "blue"

[schedule]
must_do = "9:00"
morning_breakpoints = "25:00"
daily_report = "18:60"
weekly_report = "monday 09:00"

[wecom]
enabled = true
secret = 987654321
bot_encoding_aes_key = "tooshort"

[dingtalk]
enabled = true
mode = "grpc"
client_id = 31415926
client_secret = "dt-secret-XYZ"
webhooks = "hook-secret-value"

[feishu]
enabled = true
mode = "webhook"
app_id = "cli_a"
app_secret = "feishu-app-secret-QQ"

[outbox]
max_attempts = "eight"

[sla]
first_response_hours = 0
remind_before_minutes = [60, -5]

[intake.channels.expo]
default_source = "展会"
"""



def _write(tmp_path: Path, text: str, name: str = "salesbot.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _problems(path: Path | None, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(path, env=env or {})
    return info.value


def _by_key(exc: ConfigError) -> dict[str, list[ConfigProblem]]:
    out: dict[str, list[ConfigProblem]] = {}
    for p in exc.problems:
        out.setdefault(p.key, []).append(p)
    return out


def _one(exc: ConfigError, key: str, *needles: str) -> ConfigProblem:
    """Return the single problem for key whose text contains every needle."""
    found = [p for p in exc.problems if p.key == key and all(n in str(p) for n in needles)]
    assert len(found) == 1, f"expected one problem for {key} with {needles}, got:\n{exc}"
    return found[0]


# --- defaults -------------------------------------------------------------------------------------


def test_built_in_defaults_load_without_a_file_or_environment():
    s = load_settings(env={})
    assert isinstance(s, Settings)
    assert s.source == "<built-in defaults>"
    assert s.server.port == 8080
    assert s.database.url == "sqlite+aiosqlite:///salesbot.db"
    assert s.tz == ZoneInfo("Asia/Shanghai")
    assert s.schedule.weekly_report == "mon 09:00"
    assert s.sla.remind_before_minutes == [60, 30]
    assert not (s.wecom.enabled or s.dingtalk.enabled or s.feishu.enabled)
    assert s.playground.enabled


def test_the_documented_example_config_is_valid():
    s = load_settings(ROOT / "config.example.toml", env={})
    assert s.source.endswith("config.example.toml")


def test_a_valid_file_sets_values_and_keeps_other_defaults(tmp_path):
    path = _write(tmp_path, '[server]\nport = 9090\n[sla]\nfirst_response_hours = 2\n'
                            '[intake.channels.expo]\ntoken = "t"\n')
    s = load_settings(path, env={})
    assert s.source == str(path)
    assert s.server.port == 9090
    assert s.server.host == "127.0.0.1"
    assert s.sla.first_response_hours == 2.0 and isinstance(s.sla.first_response_hours, float)
    assert s.intake.channels == {"expo": {"token": "t"}}


# --- every problem at once --------------------------------------------------------------------------


@pytest.fixture
def everything(tmp_path) -> tuple[Path, ConfigError]:
    path = _write(tmp_path, EVERYTHING_WRONG)
    return path, _problems(path)


def test_every_problem_names_the_file_the_key_and_a_fix(everything):
    path, exc = everything
    assert len(exc.problems) >= 25
    for p in exc.problems:
        text = str(p)
        assert p.file == str(path), text
        assert str(path) in text and f"[{p.key}]" in text and "fix:" in text, text
        assert p.fix.strip(), text
    # The exception's own message lists every problem, one per line.
    assert str(exc).splitlines() == [str(p) for p in exc.problems]


def test_unknown_section_and_non_table_section(everything):
    _, exc = everything
    p = _one(exc, "wecomm", "unknown section")
    assert "wecom" in p.fix and "server" in p.fix and "intake" in p.fix
    _one(exc, "playground", "must be a table")


def test_unknown_key_lists_the_valid_keys(everything):
    _, exc = everything
    p = _one(exc, "org.colour", "unknown key")
    assert "timezone" in p.fix and "bot_name" in p.fix and "quiet_hours" in p.fix


def test_wrong_types_are_reported_with_the_expected_type(everything):
    _, exc = everything
    p = _one(exc, "outbox.max_attempts", "expected whole number")
    assert "'eight'" in p.problem
    _one(exc, "dingtalk.client_id", "expected string")


def test_wrong_typed_secrets_are_hidden(everything):
    _, exc = everything
    for key in ("wecom.secret", "dingtalk.webhooks"):
        p = _one(exc, key, "(secret hidden)")
        assert "expected" in p.problem


def test_no_secret_value_ever_appears_in_the_error(everything):
    _, exc = everything
    text = str(exc) + "\n".join(f"{p.problem} {p.fix}" for p in exc.problems)
    for secret in LEAKS:
        assert secret not in text, secret


def test_server_problems(everything):
    _, exc = everything
    _one(exc, "server.port", "70000", "out of range")
    _one(exc, "server.public_url", "http://")
    p = _one(exc, "server.secret_key", "development secret")
    assert "SALESBOT__SERVER__SECRET_KEY" in p.fix
    _one(exc, "server.max_body_bytes", "1 KiB")


def test_database_timezone_and_org_problems(everything):
    _, exc = everything
    p = _one(exc, "database.url", "unsupported")
    assert "sqlite+aiosqlite" in p.fix and "postgresql+psycopg" in p.fix
    assert "pw@" not in str(exc)  # a database password is never echoed
    _one(exc, "org.timezone", "Mars/Olympus_Mons")
    _one(exc, "org.quiet_hours", "'22-8'", "HH:MM-HH:MM")
    _one(exc, "org.bot_name", "empty")


@pytest.mark.parametrize(("key", "shown"), [("must_do", "'9:00'"), ("morning_breakpoints", "'25:00'"),
                                            ("daily_report", "'18:60'")])
def test_bad_daily_times(everything, key, shown):
    _, exc = everything
    _one(exc, f"schedule.{key}", shown, "HH:MM")


def test_bad_weekly_time(everything):
    _, exc = everything
    p = _one(exc, "schedule.weekly_report", "'monday 09:00'")
    assert "mon 09:00" in p.fix


def test_enabled_wecom_names_each_missing_credential(everything):
    _, exc = everything
    for key in ("corp_id", "secret", "token", "encoding_aes_key"):
        p = _one(exc, f"wecom.{key}", "required")
        assert f"SALESBOT__WECOM__{key.upper()}" in p.fix
    _one(exc, "wecom.bot_encoding_aes_key", "43")


def test_dingtalk_and_feishu_problems(everything):
    _, exc = everything
    _one(exc, "dingtalk.mode", "'grpc'")
    p = _one(exc, "dingtalk.client_id", "required")
    assert "SALESBOT__DINGTALK__CLIENT_ID" in p.fix
    assert "dingtalk.client_secret" not in {q.key for q in exc.problems}  # it was given
    _one(exc, "feishu.verification_token", "encrypt_key or verification_token")


def test_sla_and_intake_problems(everything):
    _, exc = everything
    _one(exc, "sla.first_response_hours", "positive")
    _one(exc, "sla.remind_before_minutes", "positive")
    p = _one(exc, "intake.channels.expo", "neither token nor secret")
    assert "X-Intake-Token" in p.fix


# --- problems needing their own file ------------------------------------------------------------------


def test_enabled_wecom_with_nothing_set(tmp_path):
    exc = _problems(_write(tmp_path, "[wecom]\nenabled = true\n"))
    assert sorted(_by_key(exc)) == ["wecom.corp_id", "wecom.encoding_aes_key", "wecom.secret", "wecom.token"]


def test_wecom_encoding_aes_key_must_be_43_characters(tmp_path):
    good = "a" * 43
    text = (f'[wecom]\nenabled = true\ncorp_id = "ww1"\nsecret = "s"\ntoken = "t"\n'
            f'encoding_aes_key = "{good}"\n')
    assert load_settings(_write(tmp_path, text), env={}).wecom.encoding_aes_key == good
    exc = _problems(_write(tmp_path, text.replace(good, "a" * 42)))
    assert [p.key for p in exc.problems] == ["wecom.encoding_aes_key"]
    assert "a" * 42 not in str(exc)


def test_feishu_bad_mode(tmp_path):
    exc = _problems(_write(tmp_path, '[feishu]\nenabled = true\nmode = "http"\napp_id = "a"\napp_secret = "b"\n'))
    assert [p.key for p in exc.problems] == ["feishu.mode"]
    assert "webhook" in exc.problems[0].fix and "ws" in exc.problems[0].fix


def test_feishu_webhook_with_a_verification_token_is_fine(tmp_path):
    text = '[feishu]\nenabled = true\napp_id = "a"\napp_secret = "b"\nverification_token = "v"\n'
    assert load_settings(_write(tmp_path, text), env={}).feishu.enabled


def test_disabled_platforms_need_no_credentials(tmp_path):
    text = '[wecom]\nenabled = false\n[dingtalk]\nmode = "nonsense"\n[feishu]\nmode = "nonsense"\n'
    load_settings(_write(tmp_path, text), env={})


def test_public_host_with_a_real_secret_key_is_fine(tmp_path):
    text = '[server]\nhost = "0.0.0.0"\nsecret_key = "a-long-random-string-here"\n[playground]\nenabled = false\n'
    assert load_settings(_write(tmp_path, text), env={}).server.host == "0.0.0.0"


def test_the_playground_is_refused_on_a_public_interface(tmp_path):
    text = '[server]\nhost = "0.0.0.0"\nsecret_key = "a-long-random-string-here"\n'
    exc = _problems(_write(tmp_path, text))
    assert any(p.key == "playground.enabled" and "any member" in p.problem for p in exc.problems)


def test_port_zero_and_bool_port(tmp_path):
    exc = _problems(_write(tmp_path, "[server]\nport = 0\n"))
    _one(exc, "server.port", "out of range")
    exc = _problems(_write(tmp_path, "[server]\nport = true\n"))
    _one(exc, "server.port", "expected whole number")


def test_postgresql_url_is_accepted(tmp_path):
    path = _write(tmp_path, '[database]\nurl = "postgresql+psycopg://u@h/db"\n')
    assert load_settings(path, env={}).database.url.startswith("postgresql+psycopg")


def test_invalid_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[server\nport = \n")
    exc = _problems(path)
    assert len(exc.problems) == 1
    p = exc.problems[0]
    assert p.file == str(path) and "not valid TOML" in p.problem and "fix:" in str(p)
    assert str(path) in str(exc)


def test_explicit_missing_file_is_an_error(tmp_path):
    missing = tmp_path / "nope.toml"
    exc = _problems(missing)
    assert len(exc.problems) == 1
    assert "nope.toml" in str(exc) and "file not found" in str(exc) and "--config" in exc.problems[0].fix


# --- environment overrides -------------------------------------------------------------------------------


def test_env_overrides_are_typed_and_win_over_the_file(tmp_path):
    path = _write(tmp_path, "[server]\nport = 8081\n")
    s = load_settings(path, env={"SALESBOT__SERVER__PORT": "9000", "SALESBOT__WECOM__SECRET": "abc",
                                 "PATH": "/usr/bin", "OTHER__SERVER__PORT": "1"})
    assert s.server.port == 9000 and isinstance(s.server.port, int)
    assert s.wecom.secret == "abc"


def test_env_keys_are_case_insensitive_and_reach_nested_tables():
    s = load_settings(env={"SALESBOT__intake__channels__expo__TOKEN": "tok",
                           "SALESBOT__FEATURES__ATTACK": "false"})
    assert s.intake.channels == {"expo": {"token": "tok"}}
    assert s.features.attack is False


def test_env_can_fill_the_credentials_of_an_enabled_platform(tmp_path):
    path = _write(tmp_path, '[dingtalk]\nenabled = true\nclient_id = "ding1"\n')
    s = load_settings(path, env={"SALESBOT__DINGTALK__CLIENT_SECRET": "from-env"})
    assert s.dingtalk.client_secret == "from-env"


def test_malformed_env_name_is_reported_without_its_value():
    exc = _problems(None, {"SALESBOT__PORT": "sekrit-env-value"})
    p = _one(exc, "SALESBOT__PORT", "section and a key")
    assert p.file == "environment" and "SALESBOT__<SECTION>__<KEY>" in p.fix
    assert "sekrit-env-value" not in str(exc)


def test_env_unknown_section_and_key_are_reported():
    exc = _problems(None, {"SALESBOT__NOPE__X": "1", "SALESBOT__SERVER__PROT": "9000"})
    _one(exc, "nope", "unknown section")
    _one(exc, "server.prot", "unknown key")


def test_env_wrong_type_is_reported():
    exc = _problems(None, {"SALESBOT__SERVER__PORT": "eighty"})
    _one(exc, "server.port", "expected whole number", "'eighty'")


def test_env_secret_of_the_wrong_type_is_hidden():
    exc = _problems(None, {"SALESBOT__WECOM__WEBHOOK_KEYS": '"leak-me-please"'})
    _one(exc, "wecom.webhook_keys", "(secret hidden)")
    assert "leak-me-please" not in str(exc)
    assert "environment SALESBOT__WECOM__WEBHOOK_KEYS" in str(exc)


def test_numeric_looking_env_value_for_a_string_key_stays_a_string():
    s = load_settings(env={"SALESBOT__WECOM__TOKEN": "123456", "SALESBOT__DINGTALK__EVENT_TOKEN": "1e5"})
    assert s.wecom.token == "123456"
    assert s.dingtalk.event_token == "1e5"


def test_env_name_nested_under_a_scalar_is_a_problem_not_a_crash(tmp_path):
    path = _write(tmp_path, "[server]\nport = 8080\n")
    exc = _problems(path, {"SALESBOT__SERVER__PORT__X": "1"})
    assert any("SALESBOT__SERVER__PORT__X" in str(p) or p.key.startswith("server.port") for p in exc.problems)
