"""The local media store: content-addressed files under [storage] media_dir, written off the event loop.

A file's name is its SHA-256 (`ab/abcdef….jpg`), so the same picture sent twice is stored once and a
name can never be chosen by the sender. Writes go to a temporary file that is renamed into place, so a
crash never leaves half a file under a real name.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import uuid
from pathlib import Path

_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")
_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"GIF8", ".gif"), (b"%PDF-", ".pdf"),
          (b"RIFF", ".webp"))
_REL = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")


def extension(name: str, data: bytes) -> str:
    """Pick the stored file's extension: the sent name's, else one sniffed from the bytes, else none."""
    ext = Path(name).suffix.lower()
    if _EXT.match(ext):
        return ext
    return next((e for magic, e in _MAGIC if data.startswith(magic)), "")


async def save(root: str, data: bytes, name: str) -> tuple[str, str]:
    """Store the bytes; return (path relative to root, sha256 hex)."""
    digest = hashlib.sha256(data).hexdigest()
    rel = f"{digest[:2]}/{digest}{extension(name, data)}"
    await asyncio.to_thread(_write, Path(root) / rel, data)
    return rel, digest


def _write(target: Path, data: bytes) -> None:
    if target.exists() and target.stat().st_size == len(data):
        return  # content-addressed: the same bytes are already there
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def locate(root: str, rel: str) -> Path | None:
    """Return the stored file for a relative path from the database, or None if the path is not one of ours."""
    if not _REL.match(rel):
        return None
    path = Path(root) / rel
    return path if path.is_file() else None
