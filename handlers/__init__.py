"""Chat commands and card actions. Every router is listed here, explicitly, in help order."""

from handlers import (
    approvals,
    attack,
    attack_offers,
    attack_reports,
    closing,
    contributions,
    customer_contacts,
    deal_rooms,
    deliveries,
    entry,
    evidence,
    feedback,
    followups,
    grading,
    grading_activation,
    lead_intake,
    lead_life,
    leads,
    opportunities,
    points,
    pool,
    push_report,
    pushes,
    reports,
    scorecards,
    scripts,
    sidebar,
)
from handlers import help as help_

ROUTERS = [opportunities.router, evidence.router, closing.router, approvals.router, scripts.router, leads.router,
           lead_intake.router, followups.router, lead_life.router, pool.router, entry.router,
           feedback.router, customer_contacts.router, pushes.router, push_report.router, attack.router,
           attack_offers.router, attack_reports.router, grading.router, grading_activation.router, reports.router,
           scorecards.router, points.router, contributions.router,
           help_.router]
ROUTERS[-1:-1] = [sidebar.router, deal_rooms.router]  # fidelity: pages opened inside a platform (help stays last)
ROUTERS[-1:-1] = [deliveries.router]  # live orders: 验收 <客户> [日期]
