"""Hypothesis strategies for the fuzz runner: hostile bytes, JSON of any shape, and recorded payloads
with their fields swapped for values of the wrong type, deleted, or nested too deep."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import strategies as st

from bench import prove_payloads
from bot.platforms.wecom.extras import safexml

_TRICKY = ["", "0", "-1", "1e400", "help|", "lead.claim|1", "lead.claim|99999999999999999999", "\x00", "\ud800"]
_scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
            | st.text(max_size=40) | st.sampled_from(_TRICKY))
json_values = st.recursive(_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=12)
deep = st.integers(30, 5000).map(lambda n: b'{"a":' + b"[" * n + b"]" * n + b"}")
json_bytes = json_values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass"))
xml_texts = st.lists(st.tuples(st.sampled_from(["Encrypt", "MsgType", "Content", "Event", "MsgId", "x", "!DOCTYPE"]),
                               st.text(max_size=30)), max_size=6).map(
    lambda kv: "<xml>" + "".join(f"<{k}>{v}</{k}>" for k, v in kv) + "</xml>")
xml_bytes = st.tuples(xml_texts, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1"])).map(
    lambda t: t[0].encode(t[1], "replace"))
bodies = st.one_of(st.binary(max_size=1024), json_bytes, deep, xml_bytes)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


def _set(doc: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Any]) -> Any:
    """A seed with 1-3 of its fields replaced by any JSON value, deleted, or wrapped in a list."""
    doc = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        how = draw(st.sampled_from(["replace", "delete", "wrap"]))
        old = _get(doc, path)
        value = [old] if how == "wrap" else draw(json_values)
        doc = _set(doc, path, value, how == "delete")
    return doc


def _get(doc: Any, path: tuple) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def seeds(platform: str, route: str) -> list[Any]:
    """The recorded payloads of one route (tests/payloads), as plain data."""
    found = [c for p, _, c in prove_payloads.cases() if p == platform and c["route"] == route]
    if platform == "wecom" and route == "app":
        return [safexml.fields(ET.fromstring(c["xml"])) for c in found]
    return [c["payload"] for c in found]


def to_xml(fields: Any) -> str:
    """Render a (mutated) WeCom field map as callback XML: scalars as text, objects nested, lists as <Item>s."""
    def node(tag: str, value: Any) -> str:
        if isinstance(value, dict):
            inner = "".join(node(_tag(k), v) for k, v in value.items())
        elif isinstance(value, list):
            inner = "".join(node("Item", v) for v in value)
        else:
            inner = "<![CDATA[" + str(value).replace("]]>", "") + "]]>"
        return f"<{tag}>{inner}</{tag}>"
    body = fields if isinstance(fields, dict) else {"Value": fields}
    xml = "<xml>" + "".join(node(_tag(k), v) for k, v in body.items()) + "</xml>"
    return xml.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be sent at all


def _tag(key: Any) -> str:
    clean = "".join(ch for ch in str(key) if ch.isascii() and ch.isalnum())
    return clean if clean[:1].isalpha() else "X" + clean
