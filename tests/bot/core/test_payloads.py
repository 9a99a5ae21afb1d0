"""Untrusted JSON: bounded depth, only what the database can keep, typed field reads with the field named."""

from __future__ import annotations

import pytest

from bot.core.errors import BadRequest
from bot.core.payloads import integer, items, json_object, obj, text


@pytest.mark.parametrize(("body", "why"), [
    (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deeper than 32"),
    (b'{"a": ' + b"[" * 33 + b"]" * 33 + b"}", "deeper than 32"),
    (b'{"a": NaN}', "NaN is not a JSON value"), (b'{"a": 1e400}', "out of range"),
    (b'{"a": "x\\u0000"}', "NUL"), (b'{"a": "\\ud800"}', "unpaired"), (b"[1]", "must be a JSON object"),
])
def test_bodies_the_app_cannot_use_are_400_with_the_reason(body, why):
    with pytest.raises(BadRequest) as caught:
        json_object(body, "body")
    assert why in caught.value.reason


def test_what_real_payloads_carry_still_parses():
    shallow = b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "b": ' + b"[" * 31 + b"]" * 31 + b"}"
    assert json_object(shallow, "body")["a"].startswith("[[")
    assert json_object('{"t": "\\\\u0000 typed by hand", "e": "\\ud83d\\ude00"}', "body")["e"] == "😀"


def test_typed_reads_name_the_field_and_allow_absence():
    data = {"s": "x", "n": 5, "o": {"k": 1}, "l": [1], "bad": ["x"], "nul": "a\x00", "flag": True}
    assert (text(data, "s"), text(data, "n"), text(data, "missing", default="d")) == ("x", "5", "d")
    assert (obj(data, "o"), obj(data, "missing"), items(data, "l"), integer(data, "n")) == ({"k": 1}, {}, [1], 5)
    for read, key in ((text, "bad"), (text, "nul"), (text, "flag"), (obj, "s"), (items, "o"), (integer, "s")):
        with pytest.raises(BadRequest) as caught:
            read(data, key, "payload")
        assert f"payload.{key}" in caught.value.fields
