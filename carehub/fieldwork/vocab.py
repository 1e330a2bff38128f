"""The phone's closed vocabularies and their labels."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class EventType(StrEnum):
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"
    OUTCOME = "outcome"
    NOTE = "note"
    # A change in the elder's condition: it also puts the elder on the assessors' due list.
    CONDITION_CHANGE = "condition_change"


class Outcome(StrEnum):
    DONE = "done"
    NOT_HOME = "not_home"
    REFUSED = "refused"
    HOSPITALISED = "hospitalised"
    DECEASED = "deceased"


class OfferStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    # Not answered in time: the emergency went on to the next caregiver.
    EXPIRED = "expired"


class Flag(StrEnum):
    """Why an accepted event deserves an auditor's look."""

    FAR_FROM_HOME = "far_from_home"
    NO_LOCATION = "no_location"
    CLOCK_AHEAD = "clock_ahead"


OUTCOME_LABELS = {
    Outcome.DONE: _l("Service done"),
    Outcome.NOT_HOME: _l("Elder not at home"),
    Outcome.REFUSED: _l("Service refused"),
    Outcome.HOSPITALISED: _l("Elder in hospital"),
    Outcome.DECEASED: _l("Elder deceased"),
}
