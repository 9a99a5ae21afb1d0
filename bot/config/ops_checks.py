"""check-config for [outbox] sending and [connections]: every bad value named with its key and the fix."""

from __future__ import annotations

from bot.config.problems import ConfigProblem
from bot.config.sections import Settings


def check_ops(s: Settings) -> list[ConfigProblem]:
    """Check the sender's lease and caps settings and the long connections' timings."""
    o, c, out = s.outbox, s.connections, []

    def bad(key: str, problem: str, fix: str) -> None:
        out.append(ConfigProblem(s.source, key, problem, fix))

    for key in ("lease_seconds", "send_timeout_seconds", "flush_seconds", "poll_seconds"):
        if getattr(o, key) <= 0:
            bad(f"outbox.{key}", "must be more than 0", "use the default from config.example.toml")
    if o.send_timeout_seconds * 1.5 > o.lease_seconds:
        bad("outbox.lease_seconds", f"a lease of {o.lease_seconds:g} s leaves no room to renew it around a "
            f"{o.send_timeout_seconds:g} s send", "make lease_seconds at least 1.5 × send_timeout_seconds (default 30)")
    for key in ("concurrency", "claim_per_target", "max_attempts"):
        if getattr(o, key) < 1:
            bad(f"outbox.{key}", "must be at least 1", "use the default from config.example.toml")
    if o.max_wait_seconds < 0:
        bad("outbox.max_wait_seconds", "cannot be negative", "use 2.0")
    for key in ("watchdog_seconds", "bootstrap_timeout_seconds", "lease_seconds", "down_after_seconds"):
        if getattr(c, key) <= 0:
            bad(f"connections.{key}", "must be more than 0", "use the default from config.example.toml")
    if c.lease_seconds < 3:
        bad("connections.lease_seconds", "shorter than 3 s: the holder renews every third of it and a short "
            "pause would hand the connection to another replica", "use 30")
    return out
