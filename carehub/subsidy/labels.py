"""Translated names of reason codes, outcomes and policy kinds, for pages and exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REASONS = {
    "missing_check": _l("Check-in or check-out missing"),
    "far_from_home": _l("Checked in or out far from home"),
    "too_short": _l("Shorter than allowed"),
    "overlap": _l("Overlaps the caregiver's other visit"),
    "elder_inactive": _l("Elder not active that day"),
    "missing_skill": _l("Caregiver lacks the required skill"),
    "outside_shift": _l("Outside the caregiver's shift"),
    "late_upload": _l("Uploaded too late"),
    "duplicate": _l("Duplicate visit"),
    "reused_fix": _l("Same GPS fix at another elder's home"),
}
STATUSES = {
    "verified": _l("Verified"),
    "flagged": _l("Flagged"),
    "rejected": _l("Rejected"),
    "approved": _l("Approved"),
}
KINDS = {
    "care_level_amount": _l("Monthly amount by care level"),
    "age_band_hours": _l("Monthly service hours by age band"),
    "age_band_amount": _l("Monthly amount by age band plus supplement"),
    "per_meal": _l("Amount per meal to the elder and to the operator"),
}


def reason(code: str) -> str:
    return str(REASONS.get(code, code))


def status(code: str | None) -> str:
    return str(STATUSES.get(code or "", code or ""))
