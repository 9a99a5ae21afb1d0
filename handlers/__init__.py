"""Chat commands and card actions. Every router is listed here, explicitly, in help order."""

from handlers import (
    approvals,
    attack,
    attack_reports,
    closing,
    customer_contacts,
    deal_rooms,
    evidence,
    feedback,
    leads,
    opportunities,
    push_report,
    pushes,
    scripts,
    sidebar,
)
from handlers import help as help_

ROUTERS = [opportunities.router, evidence.router, closing.router, approvals.router, scripts.router, leads.router,
           feedback.router, customer_contacts.router, pushes.router, push_report.router, attack.router,
           attack_reports.router,
           help_.router]
ROUTERS[-1:-1] = [sidebar.router, deal_rooms.router]  # fidelity: pages opened inside a platform (help stays last)
