"""Command-line parsers of the lifecycle commands (kept light: no database imports at start-up)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parsers(sub: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    """Add `handover` and `export` to the command line; return them (they take --config too)."""
    hand = sub.add_parser("handover", help="move a leaving member's open leads, deals, customers and tasks")
    hand.add_argument("source", metavar="FROM")
    hand.add_argument("target", metavar="TO")
    hand.add_argument("--dry-run", action="store_true", help="print the counts, change nothing")
    export = sub.add_parser("export", help="export records (customers, leads, …) or churn-features")
    export.add_argument("name")
    export.add_argument("--format", choices=["csv", "xlsx"], default=None, help="default: from --out, else csv")
    export.add_argument("--out", type=Path, help="file to write (default: ./<name>-<date>.<format>)")
    export.add_argument("--days", type=int, default=30, help="churn-features: customers lost in the last N days")
    export.add_argument("--month", help="scorecards: the month of the statements, YYYY-MM (default: last month)")
    return [hand, export]
