"""The lifecycle commands: `salesbot handover`, `salesbot import customers|orders|interactions`, `salesbot export`."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.errors import UserError
from bot.runtime import Runtime
from flows import churn, exports, history_import
from flows import handover as handover_flow
from sales.stages import pipeline_from_config
from storage.db import Database


async def cli_handover(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Run the handover in one transaction, then deliver the cards."""
    rt = Runtime(settings, db=db)
    async with db.session() as session:
        done = await handover_flow.handover(await rt.context(session), args.source, args.target, args.dry_run)
    if not done.dry_run:
        await rt.sender.run_once()
    print(done.line())
    return 0


async def cli_import_history(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Import customers / orders / interactions; a file that cannot be read is one reject (exit 3), not a crash."""
    try:
        async with db.session() as session:
            report = await history_import.Importer(session, settings, args.what, SystemClock().now()).run(args.file)
    except UserError as exc:  # raised before or during the rows: the transaction rolled back, nothing applied
        report = history_import.Report()
        report.reject(1, exc.user_message)
    print("\n".join(report.lines()))
    return 3 if report.rejected else 0


async def cli_export(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Write one export file and print its path and row count (churn-features: its conclusions too)."""
    if args.name == "churn-features":
        fmt = args.format or ("xlsx" if args.out and args.out.suffix.lower() == ".xlsx" else "csv")
        await churn.print_churn_features(db, args.days, args.out, fmt, SystemClock().now(),
                                         pipe=pipeline_from_config(settings.opportunities.stages))
        return 0
    if args.name not in exports.EXPORTERS:
        names = ", ".join([*exports.EXPORTERS, "churn-features"])
        raise UserError(f"no export called {args.name!r}; choose one of: {names}")
    fmt = args.format or ("xlsx" if args.out and args.out.suffix.lower() == ".xlsx" else "csv")
    out = args.out or Path(f"{args.name}-{SystemClock().now().astimezone(settings.tz):%Y%m%d}.{fmt}")
    async with db.session() as session:
        n = await exports.export(session, settings, args.name, fmt, out, {"month": args.month})
    print(f"{out} ({n} rows)")
    return 0
