"""Lead sources by the names reps use: intake channel keys (`web_form`, `phone_400`) never reach a card."""

from __future__ import annotations

import re

from sales import reason_words

CHANNELS = {"web": "网页", "web_form": "官网表单", "website_form": "官网表单", "website": "官网",
            "phone_400": "400 电话", "douyin": "抖音", "expo": "展会", "expo_form": "展会扫码表单", "wechat": "微信",
            "referral": "转介绍",
            "import": "导入", "manual": "手工录入"}
# A channel key only where our own lines put one: first, or after 收到/再次来访/重复提交 (never inside a rep's note).
_KEY = re.compile(r"(^|(?:收到|再次来访|重复提交) · )(" + "|".join(sorted(CHANNELS, key=len, reverse=True))
                  + r")(?![A-Za-z0-9_])")
# How a lead got its first response (storage/repos/leads.stamp_first_response's `kind`, the timeline note).
RESPONSES = {"stage": "商机推进", "followup": "跟进", "wecom_contact": "加了企业微信",
             "dingtalk_contact": "加了钉钉好友", "feishu_contact": "加了飞书好友", "playground_contact": "加了联系人"}
_RESPONSE = re.compile(r" · (" + "|".join(RESPONSES) + r")$")
_REASON = re.compile(r"rule \S+ \(.*$|existing_owner|existing customer's owner \(one customer, one owner\)")


def channel_name(key: str) -> str:
    """The display name of an intake channel key (the key itself when we do not know it)."""
    return CHANNELS.get(key, key)


def in_words(text: str) -> str:
    """A lead line as a rep reads it: channel keys by their names, stored English reasons in words."""
    text = _REASON.sub(lambda m: reason_words.in_words(m[0]), text)
    text = _RESPONSE.sub(lambda m: " · " + RESPONSES[m[1]], text)
    return _KEY.sub(lambda m: m[1] + CHANNELS[m[2]], text).strip(" ·")
