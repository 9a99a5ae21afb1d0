"""`salesbot outbox retry ID…|--all`: send dead letters again once their cause is fixed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.core.clock import SystemClock
from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.db import Database


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the `outbox` command to the CLI's subparsers."""
    p = sub.add_parser("outbox", help="the outbox: resend dead letters")
    p.add_argument("action", choices=["retry"])
    p.add_argument("ids", nargs="*", type=int, help="dead-letter ids (see /api/v1/dead_letters)")
    p.add_argument("--all", action="store_true", help="every dead letter")
    p.add_argument("--config", dest="sub_config", help=argparse.SUPPRESS)
    return p


async def cli_outbox(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Queue the chosen dead letters again; a running `salesbot serve` sends them within its poll interval."""
    if bool(args.ids) == bool(args.all):
        raise UserError("name dead-letter ids (salesbot outbox retry 12 15) or --all, not both and not neither")
    from storage.repos import dead_letters  # the database layer loads only when a command needs it (fast CLI)

    queued = await dead_letters.retry(db, None if args.all else list(args.ids), SystemClock().now())
    missing = "" if args.all or queued == len(set(args.ids)) else "; the other ids are not dead letters"
    print(f"queued again: {queued}{missing}")
    return 0 if queued or args.all else 3
