"""`indented` writes exactly what `json.dumps(value, ensure_ascii=False, indent=2)` writes."""

from __future__ import annotations

import json
import math
from enum import IntEnum, StrEnum

import pytest

from bot.platforms.jsontext import indented


class Tone(StrEnum):
    WARN = "warning"


class Rank(IntEnum):
    FIRST = 1


VALUES = [
    {}, [], (), "", 0, -1, 10**30, 1.5, -0.0, 1e300, 1e-7, math.inf, -math.inf, True, False, None,
    Tone.WARN, Rank.FIRST,
    {"msgtype": "template_card", "template_card": {"source": {"desc": "销售助手", "desc_color": 2},
                                                    "button_list": [{"text": "完成①", "style": 1}] * 3}},
    {"quote": "\"\\/\n\t\r\b\f\x00\x1f\u2028 <&>'", "emoji": "🔴", "nested": [[[]], [{}], [1, [2, {"a": []}]]]},
    {7: "int key", 2.5: "float", True: "bool", None: "none", Rank.FIRST: "intenum", "tuple": (1, "two")},
]


@pytest.mark.parametrize("value", VALUES)
def test_same_text_as_json_dumps(value):
    assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_nan_and_bad_values_behave_like_json_dumps():
    assert indented([math.nan]) == json.dumps([math.nan], ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        indented({"when": object()})
    with pytest.raises(TypeError):
        indented({(1, 2): "tuple key"})
