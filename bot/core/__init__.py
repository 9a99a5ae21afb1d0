"""The kernel: shapes every layer shares. It imports nothing of ours, so anyone may import it.

Loading it registers the built-in card actions (bot/core/actions.py), so `packing.unpack` knows all of them
wherever a button value is read.
"""

from bot.core import actions as actions  # registers every built-in Action by its prefix
