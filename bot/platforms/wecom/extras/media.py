"""WeCom media/get: download an image or file a member sent (evidence), within a size limit.

media/get answers the file's bytes with its Content-Type, or a JSON error where the file would be
(40007: unknown or expired — message media ids live 3 days). The token is refetched once when WeCom
says it is invalid; busy, limits, 5xx and timeouts are transient, everything else permanent.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.core.errors import DeliveryError, TransientDeliveryError
from bot.platforms.wecom.extras.client import TOKEN_INVALID, WecomClient, raise_for

MAX_MEDIA = 20 * 1024 * 1024  # WeCom's own file limit


class WecomMedia(WecomClient):
    """The media download half of the WeCom API client."""

    async def fetch_media(self, media_id: str, max_bytes: int = MAX_MEDIA) -> bytes:
        """media/get: download a message's image or file (media ids live 3 days); refuse more than max_bytes."""
        for attempt in (0, 1):
            token = await self.token(refresh=attempt == 1)
            data, error = await self._download(f"{self.base}/cgi-bin/media/get",
                                               {"access_token": token, "media_id": media_id}, max_bytes)
            if error is None:
                return data
            if error.get("errcode") not in TOKEN_INVALID:
                break
        raise_for("media/get", error or {}, "the media id is unknown or older than 3 days; ask for the file again")
        return b""  # unreachable: raise_for always raises

    async def _download(self, url: str, params: dict[str, Any],
                        max_bytes: int) -> tuple[bytes, dict[str, Any] | None]:
        """GET a file; return (bytes, None), or (b"", the JSON error WeCom answered instead of the file)."""
        try:
            async with self._http().get(url, params=params) as resp:
                if resp.status >= 500 or resp.status == 429:
                    raise TransientDeliveryError(f"WeCom HTTP {resp.status} on media/get")
                if (resp.content_length or 0) > max_bytes:
                    raise DeliveryError(f"the file is {resp.content_length} bytes, over [storage] max_media_bytes")
                data = bytearray()
                async for chunk in resp.content.iter_chunked(65536):
                    data += chunk
                    if len(data) > max_bytes:
                        raise DeliveryError(f"the file is over [storage] max_media_bytes ({max_bytes} bytes)")
                kind = resp.headers.get("Content-Type", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientDeliveryError(f"WeCom unreachable ({type(exc).__name__}) on media/get") from exc
        return _file_or_error(bytes(data), kind)


def _file_or_error(data: bytes, content_type: str) -> tuple[bytes, dict[str, Any] | None]:
    """WeCom answers errors as JSON where the file would be; a JSON object with errcode is one."""
    if ("json" in content_type or "text/plain" in content_type) and len(data) < 4096:
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and "errcode" in parsed:
            return b"", parsed
    return data, None
