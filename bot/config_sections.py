"""The typed sections of the configuration; config.example.toml documents every key."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    secret_key: str = "dev-only-change-me"
    admin_token: str = ""
    max_body_bytes: int = 1_048_576


@dataclass
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///salesbot.db"
    echo: bool = False


@dataclass
class OrgConfig:
    timezone: str = "Asia/Shanghai"
    bot_name: str = "销售助手"
    quiet_hours: str = "22:00-08:00"


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


@dataclass
class SlaConfig:
    first_response_hours: float = 4
    remind_before_minutes: list[int] = field(default_factory=lambda: [60, 30])


@dataclass
class ScheduleConfig:
    must_do: str = "09:00"
    morning_breakpoints: str = "08:30"
    daily_report: str = "18:00"
    weekly_report: str = "mon 09:00"
    sla_scan_minutes: int = 1
    workbench_minutes: int = 15
    media_fetch_minutes: int = 1
    feedback_digest: str = "mon 09:30"
    intake_rejects: str = "08:45"
    card_view_prune: str = "03:30"
    misfire_grace_seconds: int = 600
    holidays: list[str] = field(default_factory=list)


@dataclass
class StorageConfig:
    media_dir: str = "./media"
    max_media_bytes: int = 20 * 1024 * 1024


@dataclass
class OutboxConfig:
    max_attempts: int = 8
    base_backoff_seconds: float = 2.0
    per_target_per_minute: int = 20
    poll_seconds: float = 0.5


@dataclass
class FeaturesConfig:
    leads: bool = True
    opportunities: bool = True
    grading: bool = True
    weekly_report: bool = True
    attack: bool = True
    pushes: bool = True
    scorecards: bool = True


@dataclass
class PlaygroundConfig:
    enabled: bool = True


@dataclass
class IntakeConfig:
    channels: dict[str, dict] = field(default_factory=dict)


@dataclass
class LeadsConfig:
    strategy: str = "round_robin"
    rules: list[dict] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)
    max_new_per_day: int = 30
    accept_minutes: int = 30
    cooldown_hours: float = 24
    fallback_owner: str = ""
    dedupe_window_days: int = 90
    working_hours_sla: bool = False
    skip_outside_hours: bool = True
    work_hours: str = "09:00-18:00"
    work_days: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5])
    expo_per_minute: int = 10


@dataclass
class OpportunitiesConfig:
    stages: list[dict] = field(default_factory=list)
    approval: str = "discount"
    discount_threshold: float = 15.0
    approval_stage: str = "quote"
    won_reasons: list[str] = field(default_factory=lambda: ["价格有优势", "方案最贴合需求", "关系到位", "交付快",
                                                            "其他"])
    lost_reasons: list[str] = field(default_factory=lambda: ["价格太高", "选了竞品", "预算取消", "需求变了",
                                                             "联系不上", "其他"])


@dataclass
class Settings:
    server: ServerConfig = field(default_factory=ServerConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    org: OrgConfig = field(default_factory=OrgConfig)
    wecom: WecomConfig = field(default_factory=WecomConfig)
    dingtalk: DingtalkConfig = field(default_factory=DingtalkConfig)
    feishu: FeishuConfig = field(default_factory=FeishuConfig)
    sla: SlaConfig = field(default_factory=SlaConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)
    playground: PlaygroundConfig = field(default_factory=PlaygroundConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    leads: LeadsConfig = field(default_factory=LeadsConfig)
    opportunities: OpportunitiesConfig = field(default_factory=OpportunitiesConfig)
    source: str = "<built-in defaults>"

    @property
    def tz(self) -> ZoneInfo:
        """Return the org timezone."""
        return ZoneInfo(self.org.timezone)
