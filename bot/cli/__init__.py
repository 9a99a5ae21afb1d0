"""The `salesbot` command line.

Each command imports what it needs when it runs (the imports inside the command functions): `salesbot --help` and
`salesbot check-config` must not load the database layer, Alembic, numpy or the web app. They are start-up costs,
not cycles: every module imported here may also be imported at the top.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from datetime import datetime
from pathlib import Path

from bot.cli import outbox as outbox_cli
from bot.cli.lifecycle_parsers import add_parsers as lifecycle_parsers
from bot.config import Settings, load_settings
from bot.core.clock import SystemClock
from bot.core.errors import ConfigError, UserError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="salesbot", description="Chat-ops sales bot for WeCom, DingTalk and Feishu")
    p.add_argument("--config", help="config file (default ./config.toml, else built-in defaults)")
    sub = p.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the server")
    demo = sub.add_parser("demo", help="seed the demo company")
    demo.add_argument("--reset", action="store_true", help="wipe the database first")
    demo.add_argument("--seed", type=int, default=7, help="random seed: the same seed gives the same company")
    demo.add_argument("--days", type=int, default=90, choices=range(1, 366), metavar="1..365",
                      help="how many days of the company's life to play up to now (default 90)")
    db = sub.add_parser("db", help="database")
    db.add_argument("action", choices=["upgrade"])
    check = sub.add_parser("check-config", help="validate the config")
    imp = sub.add_parser("import", help="import data")
    imp.add_argument("what", choices=["members", "mapping", "scripts", "playbook", "customers", "orders",
                                      "interactions"])
    imp.add_argument("file", type=Path)
    job = sub.add_parser("run-job", help="fire a scheduled job now")
    job.add_argument("name")
    job.add_argument("--at", help="ISO 8601 time to fire as (default now)")
    intake = sub.add_parser("intake", help="lead intake: replay rejected payloads")
    intake.add_argument("action", choices=["replay"])
    intake.add_argument("--channel", required=True, help="the [intake.channels.<name>] to replay")
    sync = sub.add_parser("sync", help="read a platform's user list and link identities to members")
    sync.add_argument("what", choices=["members"])
    sync.add_argument("--platform", required=True, choices=["wecom", "dingtalk", "feishu"])
    dingtalk = sub.add_parser("dingtalk", help="DingTalk set-up")
    dingtalk.add_argument("action", choices=["create-approval-form"])
    grading = sub.add_parser("grading", help="customer grading: backtest the LTV model")
    grading.add_argument("action", choices=["backtest"])
    grading.add_argument("--split", type=float, default=0.7, help="share of the order history to train on")
    bench = sub.add_parser("benchmarks", help="industry benchmarks of the scorecards")
    bench.add_argument("action", choices=["calibrate"])
    bench.add_argument("--days", type=int, default=365, help="history to learn from (default 365 days)")
    bench.add_argument("--out", help="write the calibrated pack here (default: print it)")
    lifecycle = lifecycle_parsers(sub)
    for sp in (serve, demo, db, check, imp, job, intake, sync, dingtalk, grading, bench, *lifecycle):
        sp.add_argument("--config", dest="sub_config", help=argparse.SUPPRESS)
    outbox_cli.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code."""
    args = _parser().parse_args(argv)
    path = getattr(args, "sub_config", None) or args.config
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        print(f"configuration has {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if args.cmd == "check-config":
        print(f"configuration OK ({settings.source})")
        return 0
    if args.cmd == "serve":
        # Loading the server builds some 130,000 objects that live as long as the process; the cyclic collector
        # would walk them again and again while the modules load, and at every full collection afterwards.
        gc.disable()
        from bot.serve import serve

        gc.freeze()
        gc.enable()
        return serve(settings)
    try:
        return asyncio.run(_run(args, settings))
    except UserError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from storage import migrate
    from storage.db import Database

    db = Database(settings.database.url)
    try:
        if args.cmd == "db":
            await migrate.upgrade(db)
            print(f"数据库已是最新结构（{migrate.describe_url(settings.database.url)}）")
            return 0
        await _require_current(db)
        return await _COMMANDS[args.cmd](args, settings, db)
    finally:
        await db.close()


async def _require_current(db) -> None:
    from storage import migrate

    if not await migrate.is_current(db):
        raise UserError("the database schema is not current: run `salesbot db upgrade` first")


async def _demo(args, settings: Settings, db) -> int:
    from bot.demo import seed_demo

    counts = await seed_demo(db, settings, SystemClock().now(), reset=args.reset, seed=args.seed,
                             days=args.days)
    if not counts:
        print("demo: the database already has members; nothing seeded (use --reset to start over)")
        return 0
    print("demo seeded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


async def _import(args, settings: Settings, db) -> int:
    if args.what in ("customers", "orders", "interactions"):
        from bot.cli.lifecycle import cli_import_history

        return await cli_import_history(args, settings, db)
    if args.what == "mapping":
        from bot.cli.intake import cli_import_mapping

        return await cli_import_mapping(args, settings, db)
    from bot.cli.importer import import_members

    if not args.file.exists():
        raise UserError(f"{args.file}: file not found")
    if args.what == "scripts":
        from bot.cli.scripts import import_scripts

        scripts = await import_scripts(db, settings, args.file)
        print("\n".join(scripts.lines()))
        return 0 if not scripts.rejected else 3
    if args.what == "playbook":
        return await _import_playbook(db, args.file)
    report = await import_members(db, args.file)
    print("\n".join(report.lines()))
    return 0 if not report.rejected else 3


async def _import_playbook(db, path: Path) -> int:
    """Check an attack playbook pack; store it (used from the next message on) only when it has no problem."""
    from sales.playbook import PackError, parse_pack
    from storage.repos import attack

    source = path.read_text("utf-8")
    try:
        book = parse_pack(source, str(path))
    except PackError as exc:
        print(f"{len(exc.problems)} problem(s), nothing imported:\n" + "\n".join(f"  {p}" for p in exc.problems),
              file=sys.stderr)
        return 3
    async with db.session() as session:
        await attack.save_pack(session, book.name, source, SystemClock().now())
    print(f"playbook {book.name!r} imported: {len(book.scenarios)} scenarios, "
          f"{sum(len(s.strategies) for s in book.scenarios)} strategies, standard checklist "
          f"{'yes' if book.standard else 'no'}")
    return 0


async def _run_job(args, settings: Settings, db) -> int:
    from bot.runtime import Runtime
    from scheduler.core import run_job

    at = _parse_at(args.at) if args.at else None
    rt = Runtime(settings, db=db)
    result = await run_job(rt, args.name, at)
    await rt.sender.run_once()
    print(f"{args.name} @ {result.fire_key}: {result.status} — {result.summary or result.error or ''}".rstrip(" —"))
    return 1 if result.error else 0


def _parse_at(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise UserError(f"--at {raw!r} is not ISO 8601; write e.g. 2026-11-27T09:00+08:00") from None


async def _intake(args, settings: Settings, db) -> int:
    from bot.cli.intake import cli_replay

    return await cli_replay(args, settings, db)


async def _sync(args, settings: Settings, db) -> int:
    from bot.core.clock import SystemClock
    from bot.platforms.registry import BY_NAME

    sync = BY_NAME[args.platform].sync  # each Platform that reads a user list names its sync
    if sync is None:
        raise UserError(f"sync members is not available for {args.platform} yet; use salesbot import members")
    if not getattr(settings, args.platform).enabled:
        raise UserError(f"[{args.platform}] enabled is false; configure the platform first")
    print("\n".join(await sync(settings, db, SystemClock())))
    return 0


async def _dingtalk(args, settings: Settings, db) -> int:
    from bot.core.clock import SystemClock
    from bot.platforms.dingtalk.extras.approvals import cli_create_form

    if not settings.dingtalk.enabled:
        raise UserError("[dingtalk] enabled is false; configure the platform first")
    print("\n".join(await cli_create_form(settings, db, SystemClock())))
    return 0


async def _grading(args, settings: Settings, db) -> int:
    from bot.cli.grading import backtest

    return await backtest(settings, db, args.split)


async def _handover(args, settings: Settings, db) -> int:
    from bot.cli.lifecycle import cli_handover

    return await cli_handover(args, settings, db)


async def _export(args, settings: Settings, db) -> int:
    from bot.cli.lifecycle import cli_export

    return await cli_export(args, settings, db)


async def _benchmarks(args, settings: Settings, db) -> int:
    from bot.cli.benchmarks import cli_calibrate

    return await cli_calibrate(args, settings, db, SystemClock().now())


_COMMANDS = {"demo": _demo, "import": _import, "run-job": _run_job, "intake": _intake, "sync": _sync,
             "dingtalk": _dingtalk, "grading": _grading, "handover": _handover, "export": _export,
             "benchmarks": _benchmarks}
_COMMANDS["outbox"] = outbox_cli.cli_outbox
