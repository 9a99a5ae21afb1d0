"""Evidence media downloads: read a response into memory, never past [storage] max_media_bytes.

The platforms' `fetch_media` task handlers read with these; bot/platforms/tasks.py stores what they read.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.core.errors import DeliveryError

CHUNK = 65536
ERROR_BYTES = 65536  # an error answer bigger than this is not one


async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int, what: str) -> bytes:
    """Return the body; refuse (permanently) a file announced or streamed over max_bytes."""
    if (resp.content_length or 0) > max_bytes:
        raise DeliveryError(f"{what}: the file is {resp.content_length} bytes, over [storage] max_media_bytes "
                            f"({max_bytes}); raise the limit or keep the file in the chat")
    data = bytearray()
    async for chunk in resp.content.iter_chunked(CHUNK):
        data += chunk
        if len(data) > max_bytes:
            raise DeliveryError(f"{what}: the file is over [storage] max_media_bytes ({max_bytes} bytes); "
                                "raise the limit or keep the file in the chat")
    return bytes(data)


def json_error(data: bytes, content_type: str) -> dict[str, Any] | None:
    """Return the JSON object a platform answered where a file would be, or None if the body is a file."""
    if "json" not in content_type or len(data) > ERROR_BYTES:
        return None
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
