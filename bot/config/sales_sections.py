"""The typed sections of the sales rules: the first-response clock, lead distribution, the pool, the pipeline,
grading, reports and scorecards (config.example.toml documents every key)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SlaConfig:
    first_response_hours: float = 4
    remind_before_minutes: list[int] = field(default_factory=lambda: [60, 30])


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
