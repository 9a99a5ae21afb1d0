"""Entry from the phone (no I/O): `新线索 <姓名> <手机> [公司] [需求]` and `客户 <客户> [行业 …] [地区 …] …`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sales.names import normalize_mobile

CUSTOMER_FIELDS = {"行业": "industry", "地区": "region", "联系人": "contact", "手机": "mobile"}
_FIELD = re.compile(r"(行业|地区|联系人|手机)[\s:：]*")
_LEAD_TAIL = re.compile(r"(?:^|\s)(行业|地区)[\s:：]+")


@dataclass(frozen=True)
class NewLeadText:
    """A lead typed in chat."""

    name: str
    mobile: str
    company: str
    need: str
    industry: str = ""  # `行业 X` / `地区 Y` at the end (the quick form's picks) fill an empty customer field
    region: str = ""


def parse_new_lead(text: str) -> NewLeadText | str:
    """Read `<姓名> <手机> [公司] [需求] [行业 X] [地区 Y]`; return what is wrong (a sentence) when it cannot."""
    head, *tail = _LEAD_TAIL.split(text.strip())
    extra = {label: value.strip()[:40] for label, value in zip(tail[::2], tail[1::2], strict=False)}
    parts = head.split()
    if len(parts) < 2:
        return "要写姓名和手机，例：新线索 王经理 13800138000 华东医疗 想了解影像设备"
    mobile = normalize_mobile(parts[1])
    if mobile is None:
        return f"“{parts[1]}”不是11位手机号；顺序是：姓名 手机 [公司] [需求]"
    company = parts[2] if len(parts) > 2 else ""
    return NewLeadText(parts[0][:80], mobile, company[:120], " ".join(parts[3:])[:500],
                       extra.get("行业", ""), extra.get("地区", ""))


def parse_customer_fields(text: str) -> tuple[str, dict[str, str]] | str:
    """Read `<客户> [行业 X] [地区 Y] [联系人 Z] [手机 N]` → (customer, {field: value}); a sentence when wrong."""
    pieces = _FIELD.split(text.strip())
    name, fields = pieces[0].strip(), {}
    for label, value in zip(pieces[1::2], pieces[2::2], strict=False):
        value = value.strip()
        if not value:
            return f"“{label}”后面要写内容，例：客户 华东医疗 {label} …"
        fields[CUSTOMER_FIELDS[label]] = value
    if not name:
        return "要写客户名，例：客户 华东医疗 行业 医疗 地区 上海"
    if "mobile" in fields:
        mobile = normalize_mobile(fields["mobile"])
        if mobile is None:
            return f"“{fields['mobile']}”不是11位手机号"
        fields["mobile"] = mobile
    return name, fields
