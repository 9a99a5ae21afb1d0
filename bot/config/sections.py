"""The typed sections of the configuration; config.example.toml documents every key."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# The quote approval form's fields, in order: the Feishu definition needs one single-line text widget per key.
FEISHU_APPROVAL_WIDGETS = ("customer", "requester", "stage", "amount", "discount", "reason", "budget")

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
    grading: str = "06:30"
    regrade_quarterly: str = "mon 07:00"
    root_cause: str = "mon 08:00"
    dead_letters: str = "08:50"
    pool_reclaim: str = "02:00"
    scorecards_weekly: str = "mon 07:30"
    monthly_dashboard: str = "08:15"
    accepted_deliveries: str = "10:00"
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
    lease_seconds: float = 30.0  # a claim's lease, renewed every third of it while the row is being sent
    send_timeout_seconds: float = 15.0  # longest one send may take; a row is sent only with this much lease left
    concurrency: int = 16  # targets sent to in parallel per platform lane
    claim_per_target: int = 2  # rows claimed per target at a time
    max_wait_seconds: float = 2.0  # wait this long for a rate slot; longer waits go back to the outbox
    flush_seconds: float = 0.2  # how often delivered rows are marked sent (in one statement)


@dataclass
class ConnectionsConfig:
    watchdog_seconds: float = 90.0  # no frame at all (pings included) for this long: reconnect
    bootstrap_timeout_seconds: float = 10.0  # every call that opens a connection gives up after this
    lease_seconds: float = 30.0  # one replica per app holds a connection; others take over this long after it dies
    down_after_seconds: float = 60.0  # /readyz answers 503 when a held connection is down longer than this


@dataclass
class SecurityConfig:
    header_timeout: float = 10.0
    body_timeout: float = 20.0
    replay_window_seconds: int = 300
    archive_prefix_bytes: int = 512
    archive_per_source_per_minute: int = 20
    archive_total_per_minute: int = 300
    archive_sample_every: int = 100
    archive_max_rows: int = 20_000
    archive_max_bytes: int = 67_108_864
    archive_retention_days: int = 30


@dataclass
class FeaturesConfig:
    """Modules a team switches on one at a time. Lead intake, distribution, the SLA clock, follow-ups and the
    pool are not among them: every start builds on them (a team without leads configures no intake channel)."""

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
    answer_timeout: float = 5.0  # seconds POST /intake waits for the leads handler before answering 503
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
    max_reassign: int = 2


@dataclass
class PoolConfig:
    reclaim_days_without_follow_up: int = 30
    reclaim_days_without_deal: int = 90
    warn_days_before: int = 3
    exempt_order_days: int = 180
    max_claims_per_day: int = 5
    max_owned_per_rep: int = 300
    claim_cooldown_days: int = 30
    reclaim_days_by_grade: dict[str, int] = field(default_factory=dict)


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


def _grading_weights() -> dict[str, float]:
    return {"visit": 5.0, "demo": 5.0, "meeting": 4.0, "revision": 3.0, "followup": 2.0, "call": 2.0,
            "download": 2.0, "message": 1.0, "wechat": 1.0, "email": 1.0, "contact_event": 1.0,
            "evidence": 3.0, "stage_change": 4.0, "script_use": 1.0}


def _grading_cadence() -> dict[str, dict]:
    return {"战略伙伴": {"count": 2, "days": 7, "deep": True, "what": "深度互动（拜访/会议/演示）"},
            "高潜成长": {"count": 1, "days": 30, "deep": False, "what": "竞品分析"},
            "稳定续费": {"count": 1, "days": 30, "deep": False, "what": "续费回访"},
            "休眠唤醒": {"count": 1, "days": 14, "deep": False, "what": "唤醒触达"}}


@dataclass
class GradingConfig:
    window_days: int = 90
    half_life_days: float = 30.0
    weights: dict[str, float] = field(default_factory=_grading_weights)
    ltv_horizon_months: int = 12
    pipeline_weight: float = 0.3
    min_fit_customers: int = 20
    trend_cap: float = 1.0
    value_quantile: float = 0.7
    activity_quantile: float = 0.5
    min_industry_customers: int = 30
    thresholds: dict[str, dict] = field(default_factory=dict)
    dormant_days: int = 30
    ltv_rise_pct: float = 5.0
    cadence: dict[str, dict] = field(default_factory=_grading_cadence)
    activation_pack: str = "packs/grading/activation.toml"
    review_show: int = 10


@dataclass
class ReportsConfig:
    product_lines: dict[str, str] = field(default_factory=dict)  # industry -> product line (battle map)
    dormant_days: int = 30
    link_ttl_days: int = 7
    root_cause_min_leads: int = 20
    churn_days: int = 30


def _scorecard_weights() -> dict[str, float]:
    return {"signed_amount": 0.25, "new_customers": 0.15, "wins": 0.10, "conversion": 0.10,
            "stage_progress": 0.10, "nps": 0.10, "new_customer_development": 0.10, "retention": 0.10}


@dataclass
class ScorecardConfig:
    weights: dict[str, float] = field(default_factory=_scorecard_weights)
    result_window_days: int = 28
    health_window_days: int = 90
    ratio_cap: float = 1.5
    new_share_target: float = 0.30
    yellow_below: float = 60.0
    red_below: float = 45.0
    coaching_days: int = 7
    benchmark_pack: str = ""
    commission_rate: float = 0.02
    new_customer_bonus: int = 2000
    multiplier_floor: float = 0.5
    multiplier_ceiling: float = 1.2
    deferred_share: float = 0.20
    dashboard_day: int = 1
    nps_valid_days: int = 30
    points: dict[str, int] = field(default_factory=lambda: {"customer_update": 2, "script_adopted": 5,
                                                            "script_approved": 10, "competitor_tag": 3})
    items: list[dict] = field(default_factory=list)


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
    connections: ConnectionsConfig = field(default_factory=ConnectionsConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)
    playground: PlaygroundConfig = field(default_factory=PlaygroundConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    leads: LeadsConfig = field(default_factory=LeadsConfig)
    opportunities: OpportunitiesConfig = field(default_factory=OpportunitiesConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    grading: GradingConfig = field(default_factory=GradingConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    pool: PoolConfig = field(default_factory=PoolConfig)
    scorecard: ScorecardConfig = field(default_factory=ScorecardConfig)
    source: str = "<built-in defaults>"

    @property
    def tz(self) -> ZoneInfo:
        """Return the org timezone."""
        return ZoneInfo(self.org.timezone)
