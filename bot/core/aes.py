"""AES-CBC over whole 16-byte blocks: the one cipher all three platforms' callback crypto uses.

pycryptodomex, not cryptography: cryptography's single Rust extension keeps 7–8 MiB resident in every process
that imports it, pycryptodomex's AES about 1.6 MiB (idle RSS is a target in bench/route.py). Each platform module
keeps its own padding and framing, so nothing here knows a platform.
"""

from __future__ import annotations

from Cryptodome.Cipher import AES

BLOCK = 16


class Key:
    """One AES key, its key schedule built once (a platform's key is fixed for the life of its config)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._ecb = AES.new(key, AES.MODE_ECB)  # stateless: one object serves every message and every caller

    def cbc_decrypt(self, iv: bytes, data: bytes) -> bytes:
        """Decrypt `data` (a positive multiple of 16 bytes); the caller removes and checks the padding."""
        if not data or len(data) % BLOCK or len(iv) != BLOCK:
            raise ValueError(f"AES-CBC needs a 16-byte IV and whole blocks, got {len(iv)} and {len(data)} bytes")
        # CBC decryption is blockwise: P_i = D_K(C_i) XOR C_(i-1), with C_0 = IV (NIST SP 800-38A §6.2). So one
        # ECB pass over the whole body and one XOR of two equal-length buffers (as integers, in C) is CBC: 4 µs
        # for a 1 KB callback, where a CBC object per message (its key schedule again) costs 10 µs, 3% of a
        # chatter callback's CPU (tests/bot/core/test_aes.py checks it against NIST's vector and the library).
        plain = int.from_bytes(self._ecb.decrypt(data), "big") ^ int.from_bytes(iv + data[:-BLOCK], "big")
        return plain.to_bytes(len(data), "big")

    def cbc_encrypt(self, iv: bytes, data: bytes) -> bytes:
        """Encrypt `data`, already padded to a multiple of 16 bytes (replies only: not on the hot path)."""
        return AES.new(self._key, AES.MODE_CBC, iv).encrypt(data)
