"""AES-CBC (bot/core/aes.py): NIST's vector, the library's own CBC as the other side, refusals."""

from __future__ import annotations

import random

import pytest
from Cryptodome.Cipher import AES

from bot.core.aes import Key

# NIST SP 800-38A, F.2.5/F.2.6 CBC-AES256
NIST_KEY = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
NIST_IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
NIST_PLAIN = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51"
                           "30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710")
NIST_CIPHER = bytes.fromhex("f58c4c04d6e5f1ba779eabfb5f7bfbd6" "9cfc4e967edb808d679f777bc6702c7d"
                            "39f23369a9d9bacfa530e26304231461" "b2eb05e2c39be9fcda6c19078c6a9d1b")


def test_nist_vector_both_ways():
    key = Key(NIST_KEY)
    assert key.cbc_decrypt(NIST_IV, NIST_CIPHER) == NIST_PLAIN
    assert key.cbc_encrypt(NIST_IV, NIST_PLAIN) == NIST_CIPHER


@pytest.mark.parametrize("seed", range(40))
def test_decrypt_matches_the_library_cbc_at_every_length(seed):
    rnd = random.Random(seed)
    raw, iv = rnd.randbytes(32), rnd.randbytes(16)
    data = rnd.randbytes(16 * rnd.randint(1, 300))
    key = Key(raw)
    assert key.cbc_decrypt(iv, data) == AES.new(raw, AES.MODE_CBC, iv).decrypt(data)
    assert key.cbc_decrypt(iv, key.cbc_encrypt(iv, data)) == data


def test_one_key_serves_many_messages_and_ivs():
    key = Key(NIST_KEY)
    for iv in (NIST_IV, bytes(16), b"\xff" * 16):
        sealed = key.cbc_encrypt(iv, NIST_PLAIN)
        assert key.cbc_decrypt(iv, sealed) == NIST_PLAIN
    assert key.cbc_decrypt(NIST_IV, NIST_CIPHER) == NIST_PLAIN


@pytest.mark.parametrize(("iv", "data"), [(NIST_IV, b""), (NIST_IV, b"x" * 17), (b"short", NIST_CIPHER)])
def test_partial_blocks_and_bad_ivs_are_refused(iv, data):
    with pytest.raises(ValueError, match="16-byte IV and whole blocks"):
        Key(NIST_KEY).cbc_decrypt(iv, data)
