"""The cards Environment's `tojson` writes exactly jinja's text, fast path or not."""

from __future__ import annotations

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from cards.render import _env

VALUES = ["", "销售助手", "<script>&'\"\\\n\u2028", Markup("<b>x</b>"), 3, None, ["a", {"b": "<c>"}], {"z": 1, "a": 2}]


def test_tojson_is_jinjas_text():
    template = _env.from_string("{{ v | tojson }}|{{ v | tojson(2) }}")
    for value in VALUES:
        plain = htmlsafe_json_dumps(value, sort_keys=True)
        indented = htmlsafe_json_dumps(value, sort_keys=True, indent=2)
        assert template.render(v=value) == f"{plain}|{indented}"
