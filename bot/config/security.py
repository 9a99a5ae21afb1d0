"""Checks of the [security] section: timeouts, the replay window and the refused-body archive caps."""

from __future__ import annotations

from bot.config.problems import ConfigProblem
from bot.config.sections import Settings

_POSITIVE = ("archive_per_source_per_minute", "archive_total_per_minute", "archive_sample_every",
             "archive_max_rows", "archive_retention_days")


def check_security(s: Settings) -> list[ConfigProblem]:
    """Return the problems of [security], each naming the key and the fix."""
    c, out = s.security, []

    def bad(key: str, problem: str, fix: str) -> None:
        out.append(ConfigProblem(s.source, f"security.{key}", problem, fix))

    for key in ("header_timeout", "body_timeout"):
        if not 1 <= getattr(c, key) <= 300:
            bad(key, f"{getattr(c, key)} s is outside 1..300", "use 10 for headers and 20 for bodies")
    if not 60 <= c.replay_window_seconds <= 3600:
        bad("replay_window_seconds", f"{c.replay_window_seconds} s is outside 60..3600",
            "use 300 (DingTalk allows at most 3600)")
    if not 0 <= c.archive_prefix_bytes <= 65536:
        bad("archive_prefix_bytes", "must be 0..65536", "use 512")
    for key in _POSITIVE:
        if getattr(c, key) < 1:
            bad(key, "must be at least 1", "remove the key to use the default")
    if c.archive_max_bytes < 1_048_576:
        bad("archive_max_bytes", "below 1 MiB cannot hold one authenticated refused body",
            "use 67108864 (64 MiB)")
    return out
