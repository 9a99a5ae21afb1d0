"""The built-in card actions: each one registered, round-tripping through its packed form, frozen."""

from __future__ import annotations

import dataclasses
import types
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from bot.core.actions import AdvanceStage, ShowHelp, ShowOpportunity
from bot.core.packing import MAX_PACKED_BYTES, Action, unpack

_SAMPLES: dict[Any, Any] = {str: "值|50%&a=b 客户，", int: -42, float: 1.25, bool: True}


def _sample(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        (inner,) = [a for a in get_args(hint) if a is not type(None)]
        return _sample(inner)
    if hint not in _SAMPLES:
        pytest.fail(f"no sample value for field type {hint!r}: extend _SAMPLES")
    return _SAMPLES[hint]


BUILT_IN = sorted((c for c in Action._registry.values() if c.__module__ == "bot.core.actions"),
                  key=lambda c: c.prefix)


def test_the_built_in_actions_are_registered():
    assert {"help", "opp.show", "opp.advance", "opp.evidence"} <= {c.prefix for c in BUILT_IN}


@pytest.mark.parametrize("cls", BUILT_IN, ids=lambda c: c.prefix)
def test_each_built_in_action_round_trips(cls):
    hints = get_type_hints(cls)
    action = cls(**{f.name: _sample(hints[f.name]) for f in dataclasses.fields(cls)})
    packed = action.pack()
    assert packed.startswith(cls.prefix + "|") or packed == cls.prefix
    assert len(packed.encode()) <= MAX_PACKED_BYTES
    again = unpack(packed)
    assert type(again) is cls and again == action


def test_packed_form_is_readable():
    assert ShowOpportunity(opportunity_id=7).pack() == "opp.show|7"
    assert ShowHelp().pack() == "help|"
    assert unpack("help|") == ShowHelp(topic="")


def test_actions_are_frozen_and_comparable():
    a = AdvanceStage(opportunity_id=3)
    assert a == AdvanceStage(opportunity_id=3) and a != ShowOpportunity(opportunity_id=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.opportunity_id = 4  # type: ignore[misc]


def test_help_topic_in_chinese_round_trips():
    action = ShowHelp(topic="新建商机")
    assert "新建商机" not in action.pack()  # percent-encoded for ASCII-only carriers
    assert unpack(action.pack()) == action
