"""Lead sources by the names reps use: intake channel keys (`web_form`, `phone_400`) never reach a card."""

from __future__ import annotations

import re

from sales import reason_words

CHANNELS = {"web_form": "官网表单", "website_form": "官网表单", "website": "官网", "phone_400": "400 电话",
            "douyin": "抖音", "expo": "展会", "expo_form": "展会扫码表单", "wechat": "微信", "referral": "转介绍",
            "import": "导入", "manual": "手工录入"}
_KEY = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(CHANNELS, key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
_REASON = re.compile(r"rule \S+ \(.*$|existing_owner|existing customer's owner \(one customer, one owner\)")


def channel_name(key: str) -> str:
    """The display name of an intake channel key (the key itself when we do not know it)."""
    return CHANNELS.get(key, key)


def in_words(text: str) -> str:
    """A lead line as a rep reads it: channel keys by their names, stored English reasons in words."""
    text = _REASON.sub(lambda m: reason_words.in_words(m[0]), text)
    return _KEY.sub(lambda m: CHANNELS[m[1]], text)
