"""Packing typed card actions: round trips of every field type, the byte limit, and errors that explain themselves."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest

from bot.core.actions import AdvanceStage, ShowHelp, ShowOpportunity
from bot.core.errors import ActionError
from bot.core.packing import MAX_PACKED_BYTES, Action, unpack


class _Probe(Action, prefix="test.probe"):
    """Every field type the packer supports."""

    text: str
    count: int
    ratio: float
    flag: bool
    note: str | None = None
    ref: int | None = None


@pytest.mark.parametrize("text", ["a|b|c", "100%", "%7C", "华东医疗（上海）有限公司", "", " spaced ", "a/b?c=d&e#f",
                                  "emoji 🎉", "line\nbreak"])
def test_strings_survive_packing(text):
    probe = _Probe(text=text, count=0, ratio=0.5, flag=False)
    packed = probe.pack()
    assert packed.count("|") == len(dataclasses.fields(_Probe))  # '|' in values never splits
    assert unpack(packed) == probe


def test_every_field_type_round_trips():
    probe = _Probe(text="x", count=-7, ratio=3.5, flag=True, note="备注|%", ref=12)
    assert unpack(probe.pack()) == probe
    empty = _Probe(text="x", count=0, ratio=0.0, flag=False)
    back = unpack(empty.pack())
    assert back == empty and back.note is None and back.ref is None and back.flag is False


def test_unknown_prefix_is_explained():
    with pytest.raises(ActionError, match=r"unknown action 'lead\.claimed'.*send the command again"):
        unpack("lead.claimed|1")


@pytest.mark.parametrize(("value", "expected"), [("opp.show|1|2", "expects 1 values, got 2"),
                                                 ("opp.show", "expects 1 values, got 0"),
                                                 ("test.probe|x|1", "expects 6 values, got 2")])
def test_wrong_field_count_is_explained(value, expected):
    with pytest.raises(ActionError, match=expected):
        unpack(value)


@pytest.mark.parametrize("value", ["opp.show|abc", "opp.show|", "opp.show|1.5", "test.probe|x|1|nope|1||"])
def test_malformed_numbers_are_explained(value):
    with pytest.raises(ActionError, match="malformed value") as info:
        unpack(value)
    assert isinstance(info.value.__cause__, ValueError)


@pytest.mark.parametrize("value", ["", None, 42])
def test_empty_or_non_string_value(value):
    with pytest.raises(ActionError, match="not made by salesbot"):
        unpack(value)  # type: ignore[arg-type]


def test_byte_limit_boundary():
    room = MAX_PACKED_BYTES - len("help|")
    assert len(ShowHelp(topic="a" * room).pack()) == MAX_PACKED_BYTES
    with pytest.raises(ActionError) as info:
        ShowHelp(topic="a" * (room + 1)).pack()
    message = str(info.value)
    assert f"{MAX_PACKED_BYTES}-byte" in message and f"{MAX_PACKED_BYTES + 1} bytes" in message
    assert "id instead" in message


def test_byte_limit_counts_encoded_bytes_not_characters():
    topic = "客" * 30  # 30 characters, 270 bytes once percent-encoded
    with pytest.raises(ActionError, match="button limit"):
        ShowHelp(topic=topic).pack()


def test_duplicate_prefix_is_refused_and_keeps_the_original():
    with pytest.raises(ActionError, match=r"'opp\.show' is used by ShowOpportunity"):
        class Again(Action, prefix="opp.show"):
            other: int
    assert unpack("opp.show|5") == ShowOpportunity(opportunity_id=5)


@pytest.mark.parametrize("prefix", ["", "a|b"])
def test_bad_prefix_is_refused(prefix):
    with pytest.raises(ActionError, match="non-empty and contain no"):
        class Bad(Action, prefix=prefix):
            x: int


@pytest.mark.parametrize("text", ["lead:840000", "a b", "(x)*!#@/~", "1+1=2", "100%", "华东，医疗。", "a|b", "", "-7"])
def test_packed_values_are_urllib_quoted(text):
    assert ShowHelp(topic=text).pack() == "help|" + quote(text, safe=" .:-_/@#!*()，。")


def test_packing_once_leaves_equality_hashing_and_repr_alone():
    a, b = AdvanceStage(opportunity_id=3), AdvanceStage(opportunity_id=3)
    assert a.pack() == a.pack() == "opp.advance|3"
    assert a == b and hash(a) == hash(b) and repr(a) == repr(b) == "AdvanceStage(opportunity_id=3)"
    assert dataclasses.replace(a, opportunity_id=4).pack() == "opp.advance|4"
