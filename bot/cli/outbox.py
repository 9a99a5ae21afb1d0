"""`salesbot outbox retry ID…|--all`: send dead letters again once their cause is fixed; `retry-tasks` does the
same for dead tasks (media downloads, platform approvals, deal rooms, workbench numbers)."""

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
    p = sub.add_parser("outbox", help="the outbox: resend dead letters (retry), rerun dead tasks (retry-tasks)")
    p.add_argument("action", choices=["retry", "retry-tasks"])
    p.add_argument("ids", nargs="*", type=int, help="dead-letter ids (see /api/v1/dead_letters) or task ids")
    p.add_argument("--all", action="store_true", help="every dead letter (or dead task)")
    p.add_argument("--config", dest="sub_config", help=argparse.SUPPRESS)
    return p


async def cli_outbox(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Queue the chosen dead letters (or dead tasks) again; a running `salesbot serve` takes them within its poll."""
    if bool(args.ids) == bool(args.all):
        raise UserError(f"name ids (salesbot outbox {args.action} 12 15) or --all, not both and not neither")
    from storage.repos import dead_letters, task_queue  # the database layer loads only when needed (fast CLI)

    retry = task_queue.retry if args.action == "retry-tasks" else dead_letters.retry
    queued = await retry(db, None if args.all else list(args.ids), SystemClock().now())
    what = "dead tasks" if args.action == "retry-tasks" else "dead letters"
    missing = "" if args.all or queued == len(set(args.ids)) else f"; the other ids are not {what}"
    print(f"queued again: {queued}{missing}")
    return 0 if queued or args.all else 3
