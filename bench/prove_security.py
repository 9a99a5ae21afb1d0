"""The security matrix: every card action × every role, signed-link tampering and expiry, every signature
scheme's replay, and a scan of the run's log capture for secrets and full phone numbers.

`run()` returns [(name, tried, passed, failed)]; `python -m bench.prove_security` prints
"name: tried N, passed N, failed N" per line (and what failed). `scan_logs(text)` is the log scan alone,
for a capture of a whole `make prove` run.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re

from bench import harness, security_matrix, security_replay
from bot.core.packing import Action
from bot.logs import JsonFormatter
from storage.repos import members

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SECRETS = [harness.WECOM_KEY, harness.BOT_KEY, harness.WECOM_TOKEN, harness.BOT_TOKEN, harness.DT_SECRET,
           harness.DT_CARD, harness.DT_EVENT_TOKEN, harness.DT_EVENT_KEY, harness.FS_KEY, harness.FS_TOKEN,
           harness.INTAKE_TOKEN, harness.INTAKE_SECRET, "prove-secret-key", "prove-admin-token"]
PROBLEMS: dict[str, list[str]] = {}  # the last run's failures by line name


def scan_logs(text: str, secrets: list[str] = SECRETS) -> tuple[int, list[str]]:
    """Return (lines scanned, lines that carry a secret or a full mobile number)."""
    lines = [line for line in text.splitlines() if line.strip()]
    bad = [line[:300] for line in lines if MOBILE.search(line) or any(s and s in line for s in secrets)]
    return len(lines), bad


async def _matrix() -> tuple[int, list[str]]:
    rows = {role: await security_matrix.role_row(role) for role in security_matrix.ROLES}
    said = {True: "allowed", False: "refused", None: "hit nothing (not found or already done)"}
    bad = [f"{prefix} as {role}: {said[allowed]}, rule {security_matrix.EXPECT[prefix]}"
           for role, row in rows.items() for prefix, allowed in row.items()
           if allowed != (role in security_matrix.RULES[security_matrix.EXPECT[prefix]])]
    return sum(len(r) for r in rows.values()), bad


async def _signatures() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    async with harness.served() as (rt, client):
        async with rt.db.session() as s:
            await members.upsert(s, "重放测试", {"role": "rep"}, "华东大客户部", {})
        return await security_replay.replays(client, rt), await security_replay.links(client, rt)


def _line(name: str, tried: int, problems: list[str]) -> tuple[str, int, int, int]:
    PROBLEMS[name] = problems
    return name, tried, tried - len(problems), len(problems)


async def _all() -> list[tuple[str, int, int, int]]:
    capture = io.StringIO()
    handler = logging.StreamHandler(capture)
    handler.setFormatter(JsonFormatter())
    root, level = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        tried, bad = await _matrix()
        replays, links = await _signatures()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    undeclared = security_matrix.undeclared()
    out = [_line("security/actions x roles", tried, bad),
           _line("security/actions declared", len(Action._registry), [f"undeclared: {p}" for p in undeclared])]
    for scheme in sorted({name.split(":")[0] for name, _ in replays}):
        cases = [(n, p) for n, p in replays if n.startswith(scheme + ":")]
        out.append(_line(f"security/replay {scheme}", len(cases), [f"{n}: {p}" for n, p in cases if p]))
    out.append(_line("security/signed links", len(links), [f"{n}: {p}" for n, p in links if p]))
    scanned, leaks = scan_logs(capture.getvalue())
    out.append(_line("security/log scan (lines)", scanned, leaks))
    return out


def run(cases: int = 0) -> list[tuple[str, int, int, int]]:
    """Run the whole matrix (the argument is ignored: every case runs); return [(name, tried, passed, failed)]."""
    return asyncio.run(_all())


if __name__ == "__main__":
    for name, tried, passed, failed in run():
        print(f"{name}: tried {tried}, passed {passed}, failed {failed}")
        for problem in PROBLEMS.get(name, [])[:10]:
            print(f"    {problem}")
