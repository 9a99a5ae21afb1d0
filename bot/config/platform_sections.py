"""The typed sections of the chat platforms (WeCom, DingTalk, Feishu); config.example.toml documents every key."""

from __future__ import annotations

from dataclasses import dataclass, field

# The quote approval form's fields, in order: the Feishu definition needs one single-line text widget per key.
FEISHU_APPROVAL_WIDGETS = ("customer", "requester", "stage", "amount", "discount", "reason", "budget")


@dataclass
class WecomConfig:
    enabled: bool = False
    corp_id: str = ""
    agent_id: int = 0
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    bot_token: str = ""
    bot_encoding_aes_key: str = ""
    webhook_keys: dict[str, str] = field(default_factory=dict)
    api_base: str = "https://qyapi.weixin.qq.com"


@dataclass
class DingtalkConfig:
    enabled: bool = False
    mode: str = "stream"
    client_id: str = ""
    client_secret: str = ""
    robot_code: str = ""
    card_template_id: str = ""
    approval_process_code: str = ""
    event_token: str = ""
    event_aes_key: str = ""
    card_callback_secret: str = ""
    card_route_key: str = "salesbot"
    webhooks: dict[str, dict] = field(default_factory=dict)
    api_base: str = "https://api.dingtalk.com"
    oapi_base: str = "https://oapi.dingtalk.com"
    scene_group_template_id: str = ""
    corp_id: str = ""


@dataclass
class FeishuConfig:
    enabled: bool = False
    mode: str = "webhook"
    app_id: str = ""
    app_secret: str = ""
    verification_token: str = ""
    encrypt_key: str = ""
    approval_code: str = ""
    approval_widgets: dict[str, str] = field(default_factory=dict)  # our form key -> the definition's widget id
    api_base: str = "https://open.feishu.cn"
