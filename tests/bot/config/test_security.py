"""check-config names every bad [security] key and its fix."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from bot.config import SecurityConfig, load_settings, validate


def test_bad_security_values_are_named_with_their_fix():
    s = load_settings(env={})
    assert not [p for p in validate(s) if "security." in str(p)]
    s.security.header_timeout, s.security.replay_window_seconds = 0, 7200
    s.security.archive_max_bytes, s.security.archive_sample_every = 1000, 0
    problems = "\n".join(str(p) for p in validate(s) if "security." in str(p))
    for key in ("header_timeout", "replay_window_seconds", "archive_max_bytes", "archive_sample_every"):
        assert f"security.{key}" in problems
    assert "DingTalk allows at most 3600" in problems


def test_the_example_config_documents_every_security_key():
    text = Path(__file__).resolve().parents[3].joinpath("config.example.toml").read_text("utf-8")
    section = text.split("[security]", 1)[1]
    assert all(f"\n{f.name} = " in section for f in fields(SecurityConfig))
