"""AES-CBC over whole 16-byte blocks: the one cipher all three platforms' callback crypto uses.

pycryptodomex, not cryptography: cryptography's single Rust extension keeps 7–8 MiB resident in every process
that imports it, pycryptodomex's AES about 2 MiB (idle RSS is a target in bench/route.py); each platform module
keeps its own padding and framing, so nothing here knows a platform.
"""

from __future__ import annotations

from Cryptodome.Cipher import AES


def cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Decrypt `data` (a positive multiple of 16 bytes); the caller removes and checks the padding."""
    return AES.new(key, AES.MODE_CBC, iv).decrypt(data)


def cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Encrypt `data`, already padded to a multiple of 16 bytes."""
    return AES.new(key, AES.MODE_CBC, iv).encrypt(data)
