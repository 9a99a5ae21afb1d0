"""Evidence media downloads: read a response into memory (never past [storage] max_media_bytes), then store it.

`fetch_into` is the platform-neutral step every API's `media_fetch` delivery ends with (scheduler/media.py
queues them).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp

from bot.core.errors import DeliveryError, TransientDeliveryError
from storage import media_store
from storage.db import Database
from storage.repos import media as repo

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


async def fetch_into(db: Database | None, payload: dict[str, Any], fetch: Callable[[str, int], Awaitable[bytes]],
                     now: Callable[[], datetime]) -> None:
    """Download one evidence file with the platform's `fetch` and store it; a permanent failure is recorded."""
    if db is None:
        raise DeliveryError("media_fetch needs the database; build the API with the runtime's db")
    evidence_id = int(payload["evidence_id"])
    try:
        data = await fetch(payload["ref"], int(payload["max_bytes"]))
    except TransientDeliveryError:
        raise  # still "queued": the sender retries, and fail_dead records it if it never works
    except DeliveryError as exc:
        await repo.mark_failed(db, evidence_id, str(exc), now())
        raise
    try:
        path, digest = await media_store.save(payload["media_dir"], data, payload.get("name") or "")
    except OSError as exc:  # retried by the sender; dead-lettered (and marked failed) if it never works
        raise TransientDeliveryError(f"cannot write into [storage] media_dir {payload['media_dir']!r}: "
                                     f"{exc.strerror or exc}; make the folder writable") from exc
    await repo.mark_stored(db, evidence_id, path, digest, len(data), now())
