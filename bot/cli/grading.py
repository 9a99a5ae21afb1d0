"""`salesbot grading backtest [--split 0.7]`: print the LTV model's error on the order history in the database."""

from __future__ import annotations

from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.errors import UserError
from flows.grading_backtest import run
from storage.db import Database


async def backtest(settings: Settings, db: Database, split: float) -> int:
    """Run the backtest and print its figures; exit 0, or 3 when there is not enough history yet."""
    if not 0.3 <= split <= 0.9:
        raise UserError("--split must be between 0.3 and 0.9 (the share of the history to train on), e.g. 0.7")
    async with db.sessions() as s:
        result = await run(s, settings.grading, SystemClock().now(), split)
    if isinstance(result, str):
        print(result)
        return 3
    for line in result.lines():
        print(line)
    return 0
