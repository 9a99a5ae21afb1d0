"""The tables, by topic; queries live in storage/repos, never here.

Every table class is importable from `storage.models` (the modules below register them on one metadata).
Primary keys are typed `int`, not `int | None`: the database assigns them on flush, and no code reads the id of a
row it has not flushed or loaded, so every reader would otherwise narrow an Optional that is never None.
The table modules leave out `from __future__ import annotations`: SQLModel hands every annotation to pydantic, which
would evaluate each string again at import (15 of the 140 ms the 55 tables take at start-up).
"""

from sqlmodel import SQLModel

from storage.models.attack import AttackAction, AttackCard, AttackPlaybook
from storage.models.customers import Contact, Customer, CustomerEvent, CustomerKey, Interaction, Order
from storage.models.deals import (
    Approval,
    Evidence,
    EvidenceMedia,
    Feedback,
    Opportunity,
    Script,
    ScriptUse,
    StageChange,
)
from storage.models.grading import CustomerScore, GradeHistory, GradeProposal, GradingRun
from storage.models.infra import (
    AppToken,
    CardRef,
    CardView,
    InboxEvent,
    JobRun,
    Lease,
    OutboxMessage,
    QueuedTask,
    RejectedRequest,
    SendSlot,
    SignatureSeen,
)
from storage.models.leads import FollowUpDraft, IntakeMapping, IntakeReject, Lead, LeadEvent, LeadLoad, LeadRotation
from storage.models.org import Identity, Member, Team
from storage.models.pushes import DailyReport, Nudge, PushItem, Task, WorkbenchState
from storage.models.scorecards import (
    BonusDeferral,
    CoachingNote,
    CompetitorTag,
    NpsSurvey,
    PointsEntry,
    Redemption,
    ScorecardRow,
    ScriptSubmission,
)

metadata = SQLModel.metadata

__all__ = [
    "AppToken", "Approval", "AttackAction", "AttackCard", "AttackPlaybook", "BonusDeferral", "CardRef",
    "CardView", "CoachingNote", "CompetitorTag", "Contact", "Customer", "CustomerEvent", "CustomerKey",
    "CustomerScore", "DailyReport", "Evidence", "EvidenceMedia", "Feedback", "FollowUpDraft", "GradeHistory",
    "GradeProposal", "GradingRun", "Identity", "InboxEvent", "IntakeMapping", "IntakeReject", "Interaction",
    "JobRun", "Lead", "LeadEvent", "LeadLoad", "LeadRotation", "Lease", "Member", "NpsSurvey", "Nudge",
    "Opportunity", "Order", "OutboxMessage", "PointsEntry", "PushItem", "QueuedTask", "Redemption",
    "RejectedRequest", "ScorecardRow", "Script", "ScriptSubmission", "ScriptUse", "SendSlot", "SignatureSeen",
    "StageChange", "Task", "Team", "WorkbenchState", "metadata",
]
