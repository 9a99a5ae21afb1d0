"""check-config for the chat platforms: the credentials an enabled platform needs, its mode and key shapes."""

from __future__ import annotations

import re

from bot.config.platform_sections import FEISHU_APPROVAL_WIDGETS as WIDGETS
from bot.config.problems import ConfigProblem
from bot.config.sections import Settings

_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")


def check_platforms(s: Settings) -> list[ConfigProblem]:
    """Check [wecom], [dingtalk] and [feishu]; a platform that is not enabled is not checked."""
    return _wecom(s) + _dingtalk(s) + _feishu(s)


def _p(s: Settings, key: str, problem: str, fix: str) -> ConfigProblem:
    return ConfigProblem(s.source, key, problem, fix)


def _required(s: Settings, section: str, keys: tuple[str, ...]) -> list[ConfigProblem]:
    """List each empty key of an enabled platform section."""
    sec = getattr(s, section)
    env = f"SALESBOT__{section.upper()}__"
    return [_p(s, f"{section}.{k}", f"required when [{section}] enabled = true",
               f"set it in the file or with {env}{k.upper()}") for k in keys if not getattr(sec, k)]


def _wecom(s: Settings) -> list[ConfigProblem]:
    if not s.wecom.enabled:
        return []
    out = _required(s, "wecom", ("corp_id", "secret", "token", "encoding_aes_key"))
    for key in ("encoding_aes_key", "bot_encoding_aes_key"):
        value = getattr(s.wecom, key)
        if value and not _AES_KEY.match(value):
            out.append(_p(s, f"wecom.{key}", "must be 43 letters and digits",
                          "copy the EncodingAESKey from the WeCom admin console again"))
    if bool(s.wecom.bot_token) != bool(s.wecom.bot_encoding_aes_key):
        out.append(_p(s, "wecom.bot_token", "bot_token and bot_encoding_aes_key must be set together",
                      "copy both from the intelligent robot's API-mode settings, or leave both empty"))
    for name, key in s.wecom.webhook_keys.items():
        if not isinstance(key, str) or not key:
            out.append(_p(s, f"wecom.webhook_keys.{name}", "must be the key= value of the robot's webhook URL",
                          'write webhook_keys = {east = "<key from …/webhook/send?key=…>"}'))
    return out


def _dingtalk(s: Settings) -> list[ConfigProblem]:
    if not s.dingtalk.enabled:
        return []
    out = _required(s, "dingtalk", ("client_id", "client_secret"))
    if s.dingtalk.mode not in ("stream", "http"):
        out.append(_p(s, "dingtalk.mode", f"{s.dingtalk.mode!r} is not a mode", 'use "stream" or "http"'))
    if s.dingtalk.event_aes_key and not _AES_KEY.match(s.dingtalk.event_aes_key):
        out.append(_p(s, "dingtalk.event_aes_key", "must be 43 letters and digits",
                      "copy aes_key from the app's 事件订阅 page again"))
    if s.dingtalk.mode == "http" and s.dingtalk.card_template_id and not s.dingtalk.card_callback_secret:
        out.append(_p(s, "dingtalk.card_callback_secret", "HTTP card callbacks need a secret to be verified",
                      "set SALESBOT__DINGTALK__CARD_CALLBACK_SECRET to a long random string"))
    if s.dingtalk.mode == "http" and s.dingtalk.approval_process_code and not s.dingtalk.event_token:
        out.append(_p(s, "dingtalk.event_token", "OA approval results arrive on /dingtalk/events in HTTP mode",
                      "subscribe the app's events to <public_url>/dingtalk/events; set event_token and event_aes_key"))
    for name, robot in s.dingtalk.webhooks.items():
        if not isinstance(robot, dict) or not robot.get("access_token"):
            out.append(_p(s, f"dingtalk.webhooks.{name}", "needs access_token (and secret for 加签)",
                          f'write {name} = {{access_token = "…", secret = "SEC…"}}'))
    return out


def _feishu(s: Settings) -> list[ConfigProblem]:
    if not s.feishu.enabled:
        return []
    out = _required(s, "feishu", ("app_id", "app_secret"))
    if s.feishu.mode not in ("webhook", "ws"):
        out.append(_p(s, "feishu.mode", f"{s.feishu.mode!r} is not a mode", 'use "webhook" or "ws"'))
    if s.feishu.mode == "webhook" and not (s.feishu.encrypt_key or s.feishu.verification_token):
        out.append(_p(s, "feishu.verification_token", "webhook mode needs encrypt_key or verification_token",
                      "copy them from the Feishu developer console (事件与回调 → 加密策略)"))

    unknown = sorted(set(s.feishu.approval_widgets) - set(WIDGETS))
    if unknown:
        out.append(_p(s, "feishu.approval_widgets", f"unknown keys {unknown}", f"use keys among {list(WIDGETS)}"))
    return out
