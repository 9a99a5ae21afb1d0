"""Chat commands and card actions. Every router is listed here, explicitly, in help order."""

from handlers import (
    approvals,
    attack,
    attack_reports,
    closing,
    contributions,
    customer_contacts,
    evidence,
    feedback,
    leads,
    opportunities,
    points,
    push_report,
    pushes,
    scorecards,
    scripts,
)
from handlers import help as help_

ROUTERS = [opportunities.router, evidence.router, closing.router, approvals.router, scripts.router, leads.router,
           feedback.router, customer_contacts.router, pushes.router, push_report.router, attack.router,
           attack_reports.router, scorecards.router, points.router, contributions.router,
           help_.router]
