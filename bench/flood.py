"""The disk-flood reproduction of #19.1: N forged 1 MiB posts, and how much the database grows.

`python -m bench.flood [N]` prints the posts, seconds, archived rows and the growth in bytes.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time

from aiohttp.test_utils import TestClient, TestServer

from bench import harness
from bot.web.app import create_app
from storage.repos import requests as archive


def _size(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


async def flood(posts: int, body_bytes: int = 1_048_000) -> dict[str, float]:
    """Post `posts` forged DingTalk callbacks of `body_bytes` each; return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/flood.db"
        rt = await harness.runtime(f"sqlite+aiosqlite:///{path}")
        client = TestClient(TestServer(create_app(rt)))
        await client.start_server()
        try:
            before, started = _size(path), time.monotonic()
            body = b'{"msgId": "x", "pad": "' + b"x" * body_bytes + b'"}'
            for _ in range(posts):
                async with client.post("/dingtalk/robot", data=body, headers={"timestamp": "1", "sign": "forged"}):
                    pass
            seconds = time.monotonic() - started
            rows, chars = await archive.totals(rt.db)
            return {"posts": posts, "seconds": round(seconds, 1), "rows": rows, "stored_chars": chars,
                    "db_growth_bytes": _size(path) - before}
        finally:
            await client.close()
            await rt.stop()


if __name__ == "__main__":
    print(asyncio.run(flood(int(sys.argv[1]) if len(sys.argv) > 1 else 300)))
