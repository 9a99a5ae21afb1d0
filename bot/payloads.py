"""Parsing of untrusted JSON bodies, with the reason a platform or client can act on."""

from __future__ import annotations

import json
from typing import Any

from bot.errors import BadRequest


def json_object(data: str | bytes, what: str) -> dict[str, Any]:
    """Parse `data` as a JSON object or raise BadRequest naming `what` and the problem."""
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise BadRequest(f"{what} is not valid JSON: {exc.args[0]}") from exc
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object")
    return value
