"""The typed sections of the configuration and the Settings that holds them; config.example.toml documents every key.

The platforms' sections are in platform_sections.py, the sales rules' (leads, pool, opportunities, grading, reports,
scorecards, the SLA) in sales_sections.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.config.platform_sections import DingtalkConfig, FeishuConfig, WecomConfig
from bot.config.sales_sections import (
    GradingConfig,
    LeadsConfig,
    OpportunitiesConfig,
    PoolConfig,
    ReportsConfig,
    ScorecardConfig,
    SlaConfig,
)


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
