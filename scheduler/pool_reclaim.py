"""公海回收 (`pool_reclaim`, daily at [schedule] pool_reclaim): overdue customers go to the pool; owners warned.

Exactly once per day: the fire is claimed in job_run, the owners' cards are keyed `pool_reclaimed:<day>:<owner>`
and `pool_warn:<day>:<owner>`, and a customer already in the pool is never a candidate again.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from flows import pool
from scheduler.registry import job


@job("pool_reclaim", schedule="pool_reclaim")
async def pool_reclaim(ctx: Context, fire_at: datetime) -> str:
    """Move customers past their pool windows to the pool (with their open leads) and warn owners before."""
    return await pool.reclaim(ctx, fire_at)
