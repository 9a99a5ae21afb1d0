"""Card builders shared by handlers and scheduled jobs; they take plain data, never sessions.

One module per feature; everything is re-exported here so callers import from `cards.views`.
"""

from cards.views.attack import *  # noqa: F403
from cards.views.common import *  # noqa: F403
from cards.views.grading import *  # noqa: F403
from cards.views.leads import *  # noqa: F403
from cards.views.opportunities import *  # noqa: F403
from cards.views.pushes import *  # noqa: F403
from cards.views.reports import *  # noqa: F403
from cards.views.scorecards import *  # noqa: F403
