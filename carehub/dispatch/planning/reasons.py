"""Why a request was left unplanned, in the reader's language.

The reasons are stored in English (``PlanningRun.unassigned``), as the solver and the
adapters give them; this lists each one for translation.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from carehub.dispatch.adapters import REASON_INACTIVE, REASON_NO_LOCATION
from carehub.dispatch.planning.services import REASON_NO_SHIFT
from carehub.routing.problem import REASON_CAPACITY, REASON_NO_CAREGIVER, REASON_WINDOW

REASONS = {
    REASON_NO_CAREGIVER: _l("no caregiver with the skill/gender"),
    REASON_WINDOW: _l("window unreachable"),
    REASON_CAPACITY: _l("capacity"),
    "no caregiver in the circle": _l("no caregiver in the circle"),
    REASON_NO_SHIFT: _l("no caregiver on shift"),
    REASON_NO_LOCATION: _l("elder has no coordinates"),
    REASON_INACTIVE: _l("elder not active that day"),
}


def reason_text(reason: str) -> str:
    known = REASONS.get(reason)
    return str(known) if known is not None else _(reason)
