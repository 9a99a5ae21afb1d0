"""The bonus: results × health multiplier, with a share of the new-customer bonus deferred (no I/O).

    commission        = commission_rate × signed amount of the month
    new-customer part = new_customer_bonus × new customers of the month
    multiplier m      = floor + (ceiling − floor) × H / 100      (H = health score; no health data → 1.0)
    gross             = (commission + new-customer part) × m
    deferred          = deferred_share × new_customer_bonus × m for each new customer whose first delivery
                        was not accepted by the month's end (released in the month it is accepted)
    payable           = gross − deferred + released (earlier months' deferrals accepted this month)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BonusRules:
    """The `[scorecard]` bonus settings."""

    commission_rate: float = 0.02
    new_customer_bonus: int = 2000
    multiplier_floor: float = 0.5
    multiplier_ceiling: float = 1.2
    deferred_share: float = 0.20


@dataclass(frozen=True)
class Deferral:
    """One new customer's deferred share."""

    customer_id: int
    customer: str
    amount: int
    month: str = ""
    released_on: str = ""


@dataclass
class Statement:
    """A rep's monthly bonus statement with every term of the formula."""

    member_id: int
    name: str
    month: str
    signed_amount: int
    new_customers: int
    health_score: float | None
    rules: BonusRules
    pending: list[Deferral] = field(default_factory=list)  # this month's new customers not yet accepted
    released: list[Deferral] = field(default_factory=list)  # earlier deferrals accepted this month

    @property
    def multiplier(self) -> float:
        """Return the health multiplier."""
        r = self.rules
        if self.health_score is None:
            return 1.0
        return round(r.multiplier_floor + (r.multiplier_ceiling - r.multiplier_floor) * self.health_score / 100, 3)

    @property
    def commission(self) -> float:
        """Return commission_rate × signed amount."""
        return self.rules.commission_rate * self.signed_amount

    @property
    def new_part(self) -> int:
        """Return new_customer_bonus × new customers."""
        return self.rules.new_customer_bonus * self.new_customers

    @property
    def gross(self) -> int:
        """Return (commission + new-customer part) × multiplier, in whole yuan."""
        return round((self.commission + self.new_part) * self.multiplier)

    @property
    def deferred(self) -> int:
        """Return the sum deferred this month."""
        return sum(d.amount for d in self.pending)

    @property
    def released_total(self) -> int:
        """Return the sum released this month."""
        return sum(d.amount for d in self.released)

    @property
    def payable(self) -> int:
        """Return gross − deferred + released."""
        return self.gross - self.deferred + self.released_total


def deferral_amount(rules: BonusRules, health_score: float | None) -> int:
    """Return the deferred share of one new customer's bonus at this health score."""
    probe = Statement(0, "", "", 0, 1, health_score, rules)
    return round(rules.deferred_share * rules.new_customer_bonus * probe.multiplier)


def terms(s: Statement) -> list[tuple[str, str]]:
    """Return the statement as (term, value) lines, in the order the formula uses them."""
    h = "暂无数据（健康系数按 1.0）" if s.health_score is None else f"{s.health_score:.1f}"
    r = s.rules
    return [
        ("签单额", f"¥{s.signed_amount:,}"), ("提成比例", f"{r.commission_rate:.1%}"),
        ("提成", f"¥{s.commission:,.0f}"), ("新客户数", str(s.new_customers)),
        ("每个新客户奖金", f"¥{r.new_customer_bonus:,}"), ("新客户奖金", f"¥{s.new_part:,}"),
        ("健康分", h),
        ("健康系数", f"{s.multiplier:.3f} = {r.multiplier_floor} + ({r.multiplier_ceiling} − "
                   f"{r.multiplier_floor}) × 健康分/100"),
        ("奖金合计", f"¥{s.gross:,} = (¥{s.commission:,.0f} + ¥{s.new_part:,}) × {s.multiplier:.3f}"),
        ("递延（待首次交付验收）", f"¥{s.deferred:,}（{r.deferred_share:.0%} × 新客户奖金 × 健康系数，"
                             f"{len(s.pending)} 个客户）"),
        ("本月释放（已验收）", f"¥{s.released_total:,}（{len(s.released)} 个客户）"),
        ("本月应发", f"¥{s.payable:,} = ¥{s.gross:,} − ¥{s.deferred:,} + ¥{s.released_total:,}"),
    ]
