"""Why a visit was left without a caregiver, in the reader's language: the one table of
every reason a planning run, a sick hand-over or an insertion gives.

The reasons are stored and passed around in English (``PlanningRun.unassigned``, the
solver's ``Unassigned``), as the solver and the adapters give them. Pages show them
through ``reason_text`` (the template filter ``unassigned_reason``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from carehub.dispatch.adapters import REASON_INACTIVE, REASON_NO_LOCATION
from carehub.dispatch.board.insert import REASON_HOT
from carehub.dispatch.board.published import REASON_SKIPPED
from carehub.dispatch.board.sick import REASON_PAIR, REASON_PASSED
from carehub.dispatch.planning.services import REASON_NO_SHIFT
from carehub.routing.problem import REASON_CAPACITY, REASON_NO_CAREGIVER, REASON_WINDOW
from carehub.routing.repair.shortfall import REASON_NO_CIRCLE

REASONS = {
    REASON_NO_CAREGIVER: _l("Nobody nearby has the skill (or gender) this visit needs."),
    REASON_WINDOW: _l("Nobody nearby can reach the elder within the time window."),
    REASON_CAPACITY: _l("Nobody nearby has room for it in their day."),
    REASON_NO_CIRCLE: _l("No caregiver works in the elder's circle."),
    REASON_NO_SHIFT: _l("No caregiver is on shift that day."),
    REASON_PAIR: _l("A two-caregiver visit: choose the second caregiver by hand."),
    REASON_SKIPPED: _l("The elder cannot be planned (not active, or no coordinates)."),
    REASON_PASSED: _l("Its time window has already passed."),
    REASON_INACTIVE: _l("The elder is not active that day."),
    REASON_NO_LOCATION: _l("The elder's address has no coordinates."),
    REASON_HOT: _l(
        "It fits only by pushing a meal round's drops past the hot-food limit after leaving "
        "the kitchen."
    ),
}


def reason_text(reason: str | None) -> str:
    """The reason in the interface's language; one outside the table as it came."""
    if not reason:
        return ""
    known = REASONS.get(reason)
    return str(known) if known is not None else _(reason)
