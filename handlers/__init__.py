"""Chat commands and card actions. Every router is listed here, explicitly, in help order."""

from handlers import help as help_
from handlers import opportunities

ROUTERS = [opportunities.router, help_.router]
