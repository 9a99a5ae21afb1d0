"""The demo company, produced by driving the real flows under a moved clock (`salesbot demo`).

It lives in bot/ because it drives the whole app: the intake flow, the dispatcher, the scheduler's jobs and the
importers. storage/ may not import those, and flows/ may not import the dispatcher or the scheduler.
"""

from bot.demo.run import seed_demo
from storage.demo import is_empty

__all__ = ["is_empty", "seed_demo"]
