"""The lifecycle commands: `salesbot handover`, `salesbot import customers|orders|interactions`, `salesbot export`."""

from __future__ import annotations

import argparse

from bot.config import Settings
from bot.runtime import Runtime
from flows import handover as handover_flow
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
