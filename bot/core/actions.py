"""The built-in card actions: one typed payload per button, registered by prefix (bot/core/packing.py packs and
unpacks them). Handlers register the handler of each with `router.action(Type)`.
"""

from __future__ import annotations

from bot.core.packing import Action


class ShowHelp(Action, prefix="help"):
    topic: str = ""


class ShowOpportunity(Action, prefix="opp.show"):
    opportunity_id: int


class AdvanceStage(Action, prefix="opp.advance"):
    opportunity_id: int


class AskEvidence(Action, prefix="opp.evidence"):
    opportunity_id: int


class AcceptLead(Action, prefix="lead.accept"):
    lead_id: int


class ShowLead(Action, prefix="lead.show"):
    lead_id: int


class ShowScripts(Action, prefix="opp.scripts"):
    opportunity_id: int


class UseScript(Action, prefix="opp.script.use"):
    opportunity_id: int
    script_id: int


class AskClose(Action, prefix="opp.close.ask"):
    opportunity_id: int
    outcome: str  # won | lost


class CloseOpportunity(Action, prefix="opp.close"):
    opportunity_id: int
    outcome: str  # won | lost
    reason: str


class DecideApproval(Action, prefix="opp.approval"):
    approval_id: int
    approve: bool
    remark: str = ""


# --- scheduled pushes: 今日必做, 断点 / 催一下, daily report ---------------------------------------------


class ShowMustDo(Action, prefix="push.today"):
    pass


class MustDoDone(Action, prefix="push.done"):
    key: str  # the item key, e.g. "opp:7"


class MustDoSnooze(Action, prefix="push.snooze"):
    key: str


class NudgeOwner(Action, prefix="push.nudge"):
    key: str  # the stuck item, e.g. "lead:12"; the handler finds its owner in the clicker's team


class ReportReason(Action, prefix="push.reason"):
    day: str
    key: str
    reason: str


class SubmitReport(Action, prefix="push.submit"):
    day: str


# --- attack task cards (攻坚任务卡) ------------------------------------------------------------------------


class StartAttack(Action, prefix="atk.start"):
    opportunity_id: int
    scenario: str  # the playbook's scenario key


class ChooseStrategy(Action, prefix="atk.strategy"):
    opportunity_id: int
    scenario: str
    strategy: str


class TickAttack(Action, prefix="atk.tick"):
    card_id: int
    action_id: int  # the action shown first; a stale second click finds it done and changes nothing


class ShowAttack(Action, prefix="atk.show"):
    card_id: int


class LoseLead(Action, prefix="lead.lost"):
    lead_id: int
    reason: str


class LogLeadFollowUp(Action, prefix="lead.log"):
    lead_id: int


class PickFollowUp(Action, prefix="fu.pick"):
    draft_id: int
    ref: str


# --- customer grading (分级 / 分级复核) -------------------------------------------------------------------


class ShowGrade(Action, prefix="grade.show"):
    customer_id: int


class TickActivation(Action, prefix="grade.act"):
    task_id: int  # one item of the activation plan; ticking it records an interaction


class ShowGradeReview(Action, prefix="grade.review"):
    pass


class ApproveAllGrades(Action, prefix="grade.ok.all"):
    quarter: str


class ApproveGrade(Action, prefix="grade.ok"):
    proposal_id: int


class RejectGrade(Action, prefix="grade.no"):
    proposal_id: int  # the reason comes as the form's text


class ClaimFromPool(Action, prefix="pool.claim"):
    ref: str


# --- balanced scorecards: coaching 1:1s, script submissions, point redemptions ------------------------------


class LogCoaching(Action, prefix="sc.coach"):
    member_id: int  # the rep coached; the typed form text is the 1:1 notes


class DecideSubmission(Action, prefix="sc.sub"):
    submission_id: int
    approve: bool


class DecideRedemption(Action, prefix="sc.redeem"):
    redemption_id: int
    approve: bool


# --- pages opened inside a platform (WeCom sidebar, workbench) -------------------------------------------------


class CreateDeal(Action, prefix="opp.create"):
    customer_id: int  # open an opportunity for this customer (the sidebar of a customer group or chat)


# --- entry from the phone: quick card forms (新线索 / 客户 without arguments) ---------------------------------


class LeadForm(Action, prefix="entry.lead"):
    industry: str  # the form's defaults, changed by its quick picks; the typed form text is the lead itself
    region: str


class CustomerForm(Action, prefix="entry.cust"):
    customer_id: int
    industry: str  # a quick pick applied in one click ("" = none); else the typed form text holds the fields
    region: str


# --- live orders: the customer accepted the first delivery (the won-deal card) ---------------------------------


class AcceptDelivery(Action, prefix="order.accept"):
    opportunity_id: int  # the won deal; its customer's oldest order awaiting acceptance gets accepted_at
