"""Lead intake as one Platform: its routes only (always on; a channel exists once it is configured).

It sends nothing (no API), renders no chat messages (render.py draws the expo form's pages, built by
routes.setup with the shell's page templates) and holds no client (an empty lifespan).
"""

from __future__ import annotations

from bot.platforms.base import Platform
from bot.platforms.intake import routes

PLATFORM: Platform = Platform(name="intake", enabled=lambda settings: True, routes=routes.setup, renderer=None,
                              api=None)
