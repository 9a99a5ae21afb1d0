"""Lead intake rules: flatten a payload, map its field names, validate, and key it for dedupe (no I/O)."""

from __future__ import annotations

import hashlib
import json
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.jsondepth import MAX_DEPTH, finite, no_constants, too_deep, unstorable
from sales.names import normalize_company, normalize_mobile

_TOO_DEEP = object()  # json.loads gave up (RecursionError): deeper than any bound

FIELDS = ("contact_name", "mobile_phone", "company", "need", "region", "industry", "product_line",
          "wecom_external_userid", "email", "title", "source")
# What forms in the wild call our fields; a channel's field_map (config or pack) is checked first.
ALIASES: dict[str, str] = {
    "手机号": "mobile_phone", "手机": "mobile_phone", "手机号码": "mobile_phone", "电话": "mobile_phone",
    "联系电话": "mobile_phone", "mobile": "mobile_phone", "phone": "mobile_phone", "tel": "mobile_phone",
    "telephone": "mobile_phone", "mobile_phone": "mobile_phone",
    "姓名": "contact_name", "联系人": "contact_name", "name": "contact_name", "contact_name": "contact_name",
    "公司": "company", "公司名称": "company", "单位": "company", "企业名称": "company", "company": "company",
    "需求": "need", "留言": "need", "备注": "need", "need": "need", "message": "need",
    "地区": "region", "城市": "region", "region": "region", "city": "region",
    "行业": "industry", "industry": "industry", "产品": "product_line", "产品线": "product_line",
    "product_line": "product_line", "external_userid": "wecom_external_userid",
    "wecom_external_userid": "wecom_external_userid", "邮箱": "email", "email": "email",
    "职位": "title", "title": "title", "来源": "source", "source": "source", "_csrf": "ignore",
}
LIMITS = {"contact_name": 80, "company": 120, "need": 2000, "region": 40, "industry": 40, "product_line": 40,
          "email": 120, "title": 80, "source": 80, "wecom_external_userid": 128}


@dataclass(frozen=True)
class MappingPack:
    """A named field map for one channel, loaded from packs/mappings/*.toml."""

    name: str
    channel: str
    field_map: dict[str, str]
    default_source: str = ""
    description: str = ""


@dataclass
class LeadInput:
    """A validated lead: canonical fields, normalized keys and everything we could not map."""

    channel: str
    fields: dict[str, str]
    mobile: str | None
    company_key: str
    unmapped: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> str:
        """Return a canonical field or ''."""
        return self.fields.get(name, "")


class IntakeInvalid(ValueError):
    """The payload cannot become a lead; `fields` says why, per field."""

    def __init__(self, reason: str, fields: dict[str, str]) -> None:
        self.reason, self.fields = reason, fields
        super().__init__(reason)


FIELD_NAMES = {"contact_name": "姓名", "mobile_phone": "手机号", "company": "公司", "need": "需求", "region": "地区",
               "industry": "行业", "product_line": "产品线", "source": "来源", "wecom_external_userid": "企业微信客户"}


def parse_pack(text: str, origin: str = "pack") -> MappingPack:
    """Parse a mapping pack's TOML; raise ValueError naming the key to fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{origin}: not valid TOML: {exc}") from exc
    for key in ("name", "channel"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{origin}: `{key}` must be a non-empty string, e.g. {key} = \"web_form\"")
    fmap = data.get("field_map")
    if not isinstance(fmap, dict) or not fmap:
        raise ValueError(f"{origin}: [field_map] must map source field names to one of {', '.join(FIELDS)}")
    bad = {k: v for k, v in fmap.items() if v not in FIELDS and v != "ignore"}
    if bad:
        raise ValueError(f"{origin}: field_map targets {bad} are unknown; use one of {', '.join(FIELDS)} or \"ignore\"")
    return MappingPack(data["name"], data["channel"], dict(fmap), str(data.get("default_source", "")),
                       str(data.get("description", "")))


def flatten(payload: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested objects to dotted keys; label/value lists become label keys (form builders send those)."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list) and value and all(_is_pair(v) for v in value):
            out.update({_pair_label(v): v.get("value") for v in value})
        else:
            out[name] = value
    return out


def _is_pair(v: Any) -> bool:
    return isinstance(v, Mapping) and "value" in v and any(k in v for k in ("label", "name", "title"))


def _pair_label(v: Mapping[str, Any]) -> str:
    return str(v.get("label") or v.get("name") or v.get("title"))


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().lower()


_ALIAS_KEYS = {_key(k): v for k, v in ALIASES.items()}  # normalized once, not per payload


def map_fields(flat: dict[str, Any], field_map: Mapping[str, str]) -> tuple[dict[str, str], dict[str, Any]]:
    """Map source names to canonical fields (channel map first, then aliases); return (mapped, unmapped)."""
    lookup = _ALIAS_KEYS | {_key(k): v for k, v in field_map.items()}
    mapped: dict[str, str] = {}
    unmapped: dict[str, Any] = {}
    for name, value in flat.items():
        target = lookup.get(_key(name)) or lookup.get(_key(name.rsplit(".", 1)[-1]))
        if target == "ignore":
            continue
        text = "" if value is None else str(value).strip()
        if target and text and target not in mapped:
            mapped[target] = text
        elif not target:
            unmapped[name] = value
    return mapped, unmapped


def validate(channel: str, payload: Mapping[str, Any], field_map: Mapping[str, str],
             default_source: str = "") -> LeadInput:
    """Return the LeadInput, or raise IntakeInvalid with field-level reasons."""
    flat = flatten(payload)
    mapped, unmapped = map_fields(flat, field_map)
    problems: dict[str, str] = {}
    mobile = None
    if mapped.get("mobile_phone"):
        mobile = normalize_mobile(mapped["mobile_phone"])
        if mobile is None:
            problems["mobile_phone"] = "手机号不对：请填 11 位大陆手机号（可带 +86）"
    elif not mapped.get("wecom_external_userid"):
        names = ", ".join(list(unmapped)[:8]) or "none"
        problems["mobile_phone"] = (f"缺少手机号：没有字段对应到 mobile_phone（未对应的字段：{names}）；"
                                    f"在 [intake.channels.{channel}] field_map 里加上，再运行 "
                                    f"`salesbot intake replay --channel {channel}`")
    for name, limit in LIMITS.items():
        if len(mapped.get(name, "")) > limit:
            problems[name] = f"{FIELD_NAMES.get(name, name)}太长：最多 {limit} 个字"
    if problems:
        raise IntakeInvalid("这条线索没有收下，原因见各字段", problems)
    mapped.setdefault("source", default_source or channel)
    return LeadInput(channel, mapped, mobile, normalize_company(mapped.get("company", "")), unmapped)


def intake_key(channel: str, body: bytes) -> str:
    """Key one submission: the same bytes on the same channel are the same lead, however often sent."""
    return hashlib.sha256(channel.encode() + b"\0" + body).hexdigest()


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Decode a JSON or form-encoded body into a dict; raise IntakeInvalid saying what is wrong."""
    from urllib.parse import parse_qsl

    try:
        text = body.decode("utf-8") if body else ""
    except UnicodeDecodeError as exc:
        raise IntakeInvalid("内容不是 UTF-8 编码", {"body": "请用 UTF-8 发送"}) from exc
    if "json" in content_type or (not content_type and text.lstrip().startswith("{")):
        try:
            data = json.loads(text or "{}", parse_constant=no_constants, parse_float=finite)
        except RecursionError:
            data = _TOO_DEEP
        except ValueError as exc:
            raise IntakeInvalid(f"内容不是合法的 JSON：{exc}", {"body": "请发送一个 JSON 对象"}) from exc
        if data is _TOO_DEEP or too_deep(text, data):
            raise IntakeInvalid(f"内容嵌套超过 {MAX_DEPTH} 层", {"body": "请发送一个不嵌套的 JSON 对象"})
        if problem := unstorable(data):
            raise IntakeInvalid(f"内容无法保存（{problem}）", {"body": "请发送纯 UTF-8 文本"})
        if not isinstance(data, dict):
            raise IntakeInvalid("内容必须是 JSON 对象", {"body": "请发送 {\"手机号\": …}"})
        return data
    if "form" in content_type or "=" in text:
        return dict(parse_qsl(text, keep_blank_values=True))
    raise IntakeInvalid("不支持的内容类型",
                        {"body": "请用 application/json 或 application/x-www-form-urlencoded 发送"})
