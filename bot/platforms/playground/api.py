"""The playground "sends" by letting its page read the outbox; delivery is marking the row sent."""

from __future__ import annotations

from typing import Any


class PlaygroundAPI:
    """Accept every payload; the page polls the outbox for sent rows."""

    name = "playground"
    per_minute: int | None = None

    def __init__(self) -> None:
        self.delivered = 0

    async def send(self, target: str, payload: dict[str, Any]) -> None:
        """Count the delivery (the row itself is the message)."""
        self.delivered += 1
