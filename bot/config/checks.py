"""Semantic checks on loaded settings; each problem names the file, key and fix."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import checks_lifecycle as config_checks_lifecycle
from bot.config import grading as config_grading
from bot.config.ops_checks import check_ops
from bot.config.platform_checks import check_platforms
from bot.config.problems import HHMM, WEEKLY, ConfigProblem
from bot.config.reports import reports_checks
from bot.config.scorecard import scorecard_checks
from bot.config.sections import Settings
from bot.config.security import check_security
from sales.distribution import STRATEGIES
from sales.stages import DEFAULT, pipeline_from_config, pipeline_problems

_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def check_all(s: Settings) -> list[ConfigProblem]:
    """Run every check and return all problems found."""
    problems: list[ConfigProblem] = []
    for check in (_server, _database, _org, _schedule, check_platforms, _intake, _sla,
                  _opportunities, _leads, _storage, check_security, config_grading.check, scorecard_checks):
        problems += check(s)
    problems += reports_checks(s)
    problems += check_ops(s)
    problems += config_checks_lifecycle.check(s)
    return problems


def _p(s: Settings, key: str, problem: str, fix: str) -> ConfigProblem:
    return ConfigProblem(s.source, key, problem, fix)


def _server(s: Settings) -> list[ConfigProblem]:
    out = []
    if not 0 < s.server.port < 65536:
        out.append(_p(s, "server.port", f"port {s.server.port} is out of range", "use 1-65535, e.g. 8080"))
    if not s.server.public_url.startswith(("http://", "https://")):
        out.append(_p(s, "server.public_url", "must start with http:// or https://",
                      "set it to the address platforms call, e.g. https://bot.example.com"))
    exposed = s.server.host not in ("127.0.0.1", "localhost", "::1")
    if exposed and s.server.secret_key in ("", "dev-only-change-me"):
        out.append(_p(s, "server.secret_key", "the development secret is used on a public interface",
                      "set SALESBOT__SERVER__SECRET_KEY to a long random string"))
    if exposed and s.playground.enabled:
        out.append(_p(s, "playground.enabled", "the playground is on while listening on a public interface: "
                      "anyone who reaches it can act as any member",
                      "set [playground] enabled = false (SALESBOT__PLAYGROUND__ENABLED=false) in production"))
    if s.server.max_body_bytes < 1024:
        out.append(_p(s, "server.max_body_bytes", "limit below 1 KiB rejects every callback",
                      "use the default 1048576"))
    return out


def _database(s: Settings) -> list[ConfigProblem]:
    if s.database.url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
        return []
    return [_p(s, "database.url", "unsupported driver (async drivers only)",
               'use "sqlite+aiosqlite:///salesbot.db" or "postgresql+psycopg://user@host/db"')]


def _org(s: Settings) -> list[ConfigProblem]:
    out = []
    try:
        ZoneInfo(s.org.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        out.append(_p(s, "org.timezone", f"unknown timezone {s.org.timezone!r}",
                      'use an IANA name such as "Asia/Shanghai"'))
    start, _, end = s.org.quiet_hours.partition("-")
    if not (HHMM.match(start) and HHMM.match(end)):
        out.append(_p(s, "org.quiet_hours", f"{s.org.quiet_hours!r} is not HH:MM-HH:MM",
                      'write it like "22:00-08:00"'))
    if not s.org.bot_name.strip():
        out.append(_p(s, "org.bot_name", "is empty", 'name the bot as members @ it, e.g. "销售助手"'))
    return out


def _schedule(s: Settings) -> list[ConfigProblem]:
    out = []
    for key in ("must_do", "morning_breakpoints", "daily_report", "intake_rejects"):
        value = getattr(s.schedule, key)
        if not HHMM.match(value):
            out.append(_p(s, f"schedule.{key}", f"{value!r} is not a 24-hour HH:MM time", 'write it like "09:00"'))
    if not WEEKLY.match(s.schedule.weekly_report):
        out.append(_p(s, "schedule.weekly_report", f"{s.schedule.weekly_report!r} is not 'ddd HH:MM'",
                      'write it like "mon 09:00"'))
    if not WEEKLY.match(s.schedule.feedback_digest):
        out.append(_p(s, "schedule.feedback_digest", f"{s.schedule.feedback_digest!r} is not 'ddd HH:MM'",
                      'write it like "mon 09:30"'))
    for key in ("workbench_minutes", "media_fetch_minutes"):
        if getattr(s.schedule, key) < 1:
            out.append(_p(s, f"schedule.{key}", "must be at least 1 minute", "use the default (15 and 1)"))
    bad = [d for d in s.schedule.holidays if not (isinstance(d, str) and _DAY.match(d))]
    if bad:
        out.append(_p(s, "schedule.holidays", f"{bad[:3]!r} are not dates", 'list days like ["2026-10-01"]'))
    return out


def _storage(s: Settings) -> list[ConfigProblem]:
    out = []
    if not s.storage.media_dir.strip():
        out.append(_p(s, "storage.media_dir", "is empty", 'set a writable folder, e.g. "./media"'))
    if s.storage.max_media_bytes < 1024:
        out.append(_p(s, "storage.max_media_bytes", "limit below 1 KiB refuses every image",
                      "use the default 20971520 (20 MiB, WeCom's file limit)"))
    return out


def _sla(s: Settings) -> list[ConfigProblem]:
    out = []
    if s.sla.first_response_hours <= 0:
        out.append(_p(s, "sla.first_response_hours", "must be positive", "use 4 for the golden 4 hours"))
    if any(type(m) is not int or m <= 0 for m in s.sla.remind_before_minutes):
        out.append(_p(s, "sla.remind_before_minutes", "must be a list of positive minutes", "e.g. [60, 30]"))
    return out


def _intake(s: Settings) -> list[ConfigProblem]:
    out = []
    if not 0 < s.intake.answer_timeout <= 60:
        out.append(_p(s, "intake.answer_timeout", f"must be more than 0 and at most 60 seconds, not "
                      f"{s.intake.answer_timeout}", "set a few seconds, e.g. answer_timeout = 5"))
    for name, channel in s.intake.channels.items():
        if not isinstance(channel, dict):
            out.append(_p(s, f"intake.channels.{name}", "must be a table", f"write [intake.channels.{name}]"))
            continue
        if not (channel.get("token") or channel.get("secret") or channel.get("form") is True):
            out.append(_p(s, f"intake.channels.{name}", "has neither token nor secret (nor form = true)",
                          "set token (X-Intake-Token) or secret (X-Intake-Signature HMAC), or form = true for a "
                          "public CSRF-signed web form"))
    return out


def _opportunities(s: Settings) -> list[ConfigProblem]:

    o, out = s.opportunities, []
    for problem in pipeline_problems(o.stages):
        out.append(_p(s, "opportunities.stages", problem, "see config.example.toml for the shape of a stage"))
    keys = [st.key for st in (pipeline_from_config(o.stages) if not out else DEFAULT).stages]
    if o.approval not in ("discount", "always", "never"):
        out.append(_p(s, "opportunities.approval", f"{o.approval!r} is not a mode",
                      'use "discount", "always" or "never"'))
    if not 0 <= o.discount_threshold < 100:
        out.append(_p(s, "opportunities.discount_threshold", "must be a percent off in 0..100",
                      "e.g. 15 means quotes below 85折 need approval"))
    if o.approval != "never" and o.approval_stage not in keys[1:]:
        out.append(_p(s, "opportunities.approval_stage", f"{o.approval_stage!r} is not a stage after the first",
                      f"use one of {', '.join(keys[1:]) or '(add a second stage)'}"))
    for key in ("won_reasons", "lost_reasons"):
        reasons = getattr(o, key)
        if not reasons or not all(isinstance(r, str) and 0 < len(r) <= 40 for r in reasons):
            out.append(_p(s, f"opportunities.{key}", "must be a non-empty list of short reasons",
                          'e.g. ["价格太高", "选了竞品", "其他"]'))
    return out


def _leads(s: Settings) -> list[ConfigProblem]:

    c, out = s.leads, []
    for i, rule in enumerate([{"strategy": c.strategy}, *c.rules]):
        key = "leads.strategy" if i == 0 else f"leads.rules[{i - 1}]"
        if not isinstance(rule, dict) or rule.get("strategy", "round_robin") not in STRATEGIES:
            out.append(_p(s, key, f"unknown strategy in {rule!r}", f"use one of {', '.join(STRATEGIES)}"))
    start, _, end = c.work_hours.partition("-")
    if not (HHMM.match(start) and HHMM.match(end)) or start >= end:
        out.append(_p(s, "leads.work_hours", f"{c.work_hours!r} is not HH:MM-HH:MM", 'write it like "09:00-18:00"'))
    if not c.work_days or any(type(d) is not int or not 1 <= d <= 7 for d in c.work_days):
        out.append(_p(s, "leads.work_days", "must list ISO weekdays 1-7", "e.g. [1, 2, 3, 4, 5]"))
    for key in ("accept_minutes", "max_new_per_day", "dedupe_window_days", "expo_per_minute"):
        if getattr(c, key) <= 0:
            out.append(_p(s, f"leads.{key}", "must be positive", f"set {key} to 1 or more"))
    return out
