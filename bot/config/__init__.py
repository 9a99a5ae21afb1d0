"""Configuration: one TOML file plus SALESBOT__SECTION__KEY environment overrides, validated at start."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, get_type_hints

from bot.config.checks import check_all
from bot.config.platform_sections import *  # noqa: F403  (the sections are part of this module's API)
from bot.config.problems import HHMM, WEEKLY, ConfigProblem
from bot.config.sales_sections import *  # noqa: F403  (the sections are part of this module's API)
from bot.config.sections import *  # noqa: F403  (the sections are part of this module's API)
from bot.config.sections import Settings
from bot.core.errors import ConfigError

__all__ = ["HHMM", "WEEKLY", "ConfigProblem", "load_settings", "validate"]  # plus every section class

DEFAULT_PATH = Path("config.toml")
ENV_PREFIX = "SALESBOT__"
# Keys that once were switches and now are always on: `true` is accepted silently, anything else is a problem.
RETIRED = {"features.leads": "remove it: lead intake, distribution, the golden 4 hours, follow-ups and the pool are "
                             "always on; a team that takes no leads configures no [intake.channels]"}
SECRET_KEYS = {"secret", "secret_key", "admin_token", "token", "encoding_aes_key", "bot_token",
               "bot_encoding_aes_key", "client_secret", "event_token", "event_aes_key", "app_secret",
               "verification_token", "encrypt_key", "access_token", "webhook_keys", "webhooks",
               "card_callback_secret"}


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Load, override from the environment, and validate; raise ConfigError listing every problem."""
    raw, source = _read_file(path)
    problems: list[ConfigProblem] = []
    _apply_env(raw, os.environ if env is None else env, source, problems)
    settings = _build(raw, source, problems)
    if settings is not None:
        problems += validate(settings)
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def _read_file(path: str | Path | None) -> tuple[dict, str]:
    """Read the TOML file; an explicit missing path is an error, the default one is optional."""
    target = Path(path) if path else DEFAULT_PATH
    if not target.exists():
        if path:
            raise ConfigError([ConfigProblem(str(target), "-", "file not found",
                                             "pass an existing file to --config, or copy config.example.toml")])
        return {}, "<built-in defaults>"
    try:
        return tomllib.loads(target.read_text("utf-8")), str(target)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem(str(target), "-", f"not valid TOML: {exc}",
                                         "correct the syntax at the line shown")]) from exc


class EnvValue(str):
    """A raw environment string; typed when its key's type is known, so "123456" stays a string token."""

    name = ""


def _apply_env(raw: dict, env: Any, source: str, problems: list[ConfigProblem]) -> None:
    """Apply SALESBOT__SECTION__KEY[__SUBKEY] overrides onto the raw dict."""
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__") if p]
        if len(parts) < 2:
            problems.append(ConfigProblem("environment", name, "needs a section and a key",
                                          "name it SALESBOT__<SECTION>__<KEY>, e.g. SALESBOT__WECOM__SECRET"))
            continue
        node = raw
        for part in parts[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            problems.append(ConfigProblem("environment", name, f"{'.'.join(parts[:-1])} is not a table",
                                          "drop the extra __PART: SALESBOT__<SECTION>__<KEY> names one key"))
            continue
        tagged = EnvValue(value)
        tagged.name = name
        node[parts[-1]] = tagged


def _parse_env_value(value: EnvValue) -> Any:
    """Parse a non-string env value as TOML ("9000" -> 9000, "[60, 30]" -> list); keep it if it is not TOML."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return str(value)


def _build(raw: dict, source: str, problems: list[ConfigProblem]) -> Settings | None:
    """Turn the raw dict into typed sections, collecting unknown keys and type errors."""
    settings = Settings(source=source)
    sections = {f.name: f for f in dataclasses.fields(Settings) if f.name != "source"}
    for sec_name, values in raw.items():
        if sec_name not in sections:
            problems.append(ConfigProblem(source, sec_name, "unknown section",
                                          f"remove it or use one of: {', '.join(sections)}"))
            continue
        if not isinstance(values, dict):
            problems.append(ConfigProblem(source, sec_name, "must be a table", f"write it as [{sec_name}]"))
            continue
        _fill_section(getattr(settings, sec_name), sec_name, values, source, problems)
    if "public_url" not in (raw.get("server") or {}):
        settings.server.public_url = follow_port(settings.server.host, settings.server.port)
    return settings


def follow_port(host: str, port: int) -> str:
    """The public URL when none is set: this machine on the port we listen on (links work on any port)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}"


def _fill_section(section: Any, sec_name: str, values: dict, source: str, problems: list) -> None:
    """Set each key of one section after checking its type."""
    hints = get_type_hints(type(section))
    for key, value in values.items():
        where = f"{sec_name}.{key}"
        if where in RETIRED:
            if value is not True:  # `= true` asked for what is always there; anything else would be a lie
                problems.append(ConfigProblem(source, where, "cannot be switched off any more", RETIRED[where]))
            continue
        if key not in hints:
            problems.append(ConfigProblem(source, where, "unknown key",
                                          f"remove it; keys of [{sec_name}] are {', '.join(hints)}"))
            continue
        origin = source
        if isinstance(value, EnvValue):
            origin = f"environment {value.name}"
            value = str(value) if getattr(hints[key], "__origin__", hints[key]) is str else _parse_env_value(value)
        coerced = _coerce(value, hints[key])
        if coerced is _BAD:
            shown = "(secret hidden)" if key in SECRET_KEYS else repr(value)
            problems.append(ConfigProblem(origin, where, f"expected {_type_name(hints[key])}, got {shown}",
                                          f"set {key} to a {_type_name(hints[key])}"))
            continue
        setattr(section, key, coerced)


_BAD = object()


def _coerce(value: Any, hint: Any) -> Any:
    """Return value converted to hint's type, or _BAD."""
    origin = getattr(hint, "__origin__", hint)
    if origin is bool:
        return value if isinstance(value, bool) else _BAD
    if origin is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _BAD
    if origin is float:
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else _BAD
    if origin is str:
        return value if isinstance(value, str) else _BAD
    if origin is list:
        return value if isinstance(value, list) else _BAD
    if origin is dict:
        return value if isinstance(value, dict) else _BAD
    return value


def _type_name(hint: Any) -> str:
    origin = getattr(hint, "__origin__", hint)
    return {bool: "boolean (true/false)", int: "whole number", float: "number", str: "string",
            list: "list", dict: "table"}.get(origin, str(hint))


def validate(s: Settings) -> list[ConfigProblem]:
    """Check values beyond their types: formats, ranges, and credentials of enabled platforms."""
    return check_all(s)
