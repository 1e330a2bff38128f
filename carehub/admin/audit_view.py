"""The audit log as people read it: record types, actions, fields and values in the
interface's language, instants in Asia/Shanghai, ids of people and places as their names.

The log itself keeps the raw columns and values (it is evidence); only the page translates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.core.enums import LABELS as ENUM_LABELS
from carehub.core.time import format_local
from carehub.db import AnySession
from carehub.fieldwork.vocab import OUTCOME_LABELS, OfferStatus
from carehub.web import yuan

ACTION_LABELS = {
    "create": _l("Added"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "expire": _l("Expired"),
    "adjust": _l("Adjustment booked"),
    "lock": _l("Month locked"),
    "unlock": _l("Month unlocked"),
    "move": _l("Moved by hand"),
    "caregiver_sick": _l("Caregiver called in sick"),
    "insert_request": _l("Request inserted into today's routes"),
    "generate": _l("Requests generated"),
    "import": _l("Imported"),
    "seed": _l("Demo data loaded"),
    "acknowledge": _l("Acknowledged"),
    "api_token": _l("Phone sign-in token"),
    "push_subscribe": _l("Phone notifications turned on"),
    "push_unsubscribe": _l("Phone notifications turned off"),
    "export": _l("Exported"),
    "lockout": _l("Account locked after failed logins"),
    "login_failed": _l("Failed login"),
    "confirm_status": _l("Status change confirmed"),
}

ENTITY_LABELS = {
    "Station": _l("Station"),
    "Elder": _l("Elder"),
    "ElderStatusPeriod": _l("Status period"),
    "Caregiver": _l("Caregiver"),
    "Skill": _l("Skill"),
    "ServiceType": _l("Service type"),
    "User": _l("Account"),
    "CarePlan": _l("Care plan"),
    "ServiceRequest": _l("Service request"),
    "Visit": _l("Visit"),
    "SubsidyPolicy": _l("Subsidy policy"),
    "VisitReview": _l("Visit review"),
    "MonthLock": _l("Month lock"),
    "Adjustment": _l("Adjustment"),
    "SubsidyMonth": _l("Subsidy month"),
    "EmergencyOffer": _l("Emergency offer"),
    "AlarmDevice": _l("Alarm device"),
    "ChecklistItem": _l("Checklist item"),
    "Alert": _l("Alert"),
    "City": _l("City data"),
    "Demo": _l("Demo data"),
    "MealRound": _l("Meal round"),
    "AssessmentForm": _l("Assessment form"),
    "Kitchen": _l("Kitchen"),
    "Assessment": _l("Assessment"),
    "AssessmentFlag": _l("Re-assessment flag"),
    "StatusProposal": _l("Proposed status change"),
    "CaregiverAbsence": _l("Caregiver absence"),
    "ElderCaregiverRule": _l("Elder's caregiver preference"),
}

FIELD_LABELS = {
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "rank": _l("Rank"),
    "requested_by_id": _l("Requested by"),
    "decided_by_id": _l("Decided by"),
    "active": _l("Active"),
    "address": _l("Address"),
    "age_bands": _l("Age bands"),
    "amount_fen": _l("Amount (yuan)"),
    "amount_mild_fen": _l("Mild amount (yuan)"),
    "amount_moderate_fen": _l("Moderate amount (yuan)"),
    "amount_severe_fen": _l("Severe amount (yuan)"),
    "birth_date": _l("Date of birth"),
    "care_level": _l("Care level"),
    "care_level_assessed_on": _l("Care level assessed on"),
    "care_plan_id": _l("Care plan"),
    "caregiver_id": _l("Caregiver"),
    "caregivers_needed": _l("Caregivers needed"),
    "carry_over": _l("Carries over"),
    "check_in_accuracy_m": _l("Check-in accuracy (m)"),
    "check_in_at": _l("Check-in"),
    "check_in_lat": _l("Check-in latitude"),
    "check_in_lon": _l("Check-in longitude"),
    "check_out_accuracy_m": _l("Check-out accuracy (m)"),
    "check_out_at": _l("Check-out"),
    "check_out_lat": _l("Check-out latitude"),
    "check_out_lon": _l("Check-out longitude"),
    "circle_minutes": _l("Circle (minutes)"),
    "code": _l("Code"),
    "created_at": _l("Created"),
    "created_by_id": _l("Created by"),
    "decision": _l("Decision"),
    "decline_reason": _l("Reason declined"),
    "display_name": _l("Name shown"),
    "duration_min": _l("Duration (minutes)"),
    "effective_from": _l("Effective from"),
    "effective_to": _l("Effective to"),
    "elder_id": _l("Elder"),
    "eligible_hardships": _l("Eligible hardship categories"),
    "emergency_contact_name": _l("Emergency contact"),
    "emergency_contact_phone": _l("Emergency contact phone"),
    "end_date": _l("End date"),
    "gender": _l("Gender"),
    "hardship": _l("Hardship category"),
    "home_lat": _l("Home latitude"),
    "home_lon": _l("Home longitude"),
    "hour_value_fen": _l("Value of an hour (yuan)"),
    "id": _l("Id"),
    "kind": _l("Kind"),
    "label_en": _l("Label (English)"),
    "label_zh": _l("Label (Chinese)"),
    "last_used_at": _l("Last used"),
    "lat": _l("Latitude"),
    "lent": _l("Lent"),
    "locked": _l("Locked"),
    "locked_at": _l("Locked at"),
    "locked_by_id": _l("Locked by"),
    "unlocked_by_id": _l("Unlocked by"),
    "lon": _l("Longitude"),
    "lunch_end": _l("Lunch until"),
    "lunch_minutes": _l("Lunch (minutes)"),
    "lunch_start": _l("Lunch from"),
    "max_work_minutes": _l("Maximum working time (minutes)"),
    "month": _l("Month"),
    "name": _l("Name"),
    "name_en": _l("Name (English)"),
    "name_initials": _l("Pinyin initials"),
    "name_zh": _l("Name (Chinese)"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "offered_at": _l("Offered at"),
    "origin": _l("Origin"),
    "outcome": _l("Outcome"),
    "phone": _l("Phone"),
    "pinned": _l("Pinned"),
    "planned_end": _l("Planned end"),
    "planned_start": _l("Planned start"),
    "position": _l("Position"),
    "preferred_caregiver_gender": _l("Preferred caregiver gender"),
    "price_fen": _l("Price (yuan)"),
    "priority": _l("Priority"),
    "provider": _l("Provider"),
    "published_at": _l("Published at"),
    "reason": _l("Reason"),
    "request_id": _l("Service request"),
    "responded_at": _l("Answered at"),
    "reviewed_at": _l("Reviewed at"),
    "reviewer_id": _l("Reviewer"),
    "revoked_at": _l("Revoked at"),
    "role": _l("Role"),
    "route_seq": _l("Stop number"),
    "service_date": _l("Service date"),
    "service_type_id": _l("Service"),
    "shift_end": _l("Shift ends"),
    "shift_start": _l("Shift starts"),
    "skill_id": _l("Skill"),
    "source_month": _l("Month corrected"),
    "start_date": _l("Start date"),
    "station_id": _l("Station"),
    "status": _l("Status"),
    "status_since": _l("Status since"),
    "supplement": _l("Supplement"),
    "travel_mode": _l("Travel mode"),
    "unlock_reason": _l("Reason for unlocking"),
    "unlocked_at": _l("Unlocked at"),
    "username": _l("User name"),
    "version": _l("Version"),
    "visit_id": _l("Visit"),
    "weekdays_mask": _l("Working days"),
    "window_end": _l("Window ends"),
    "window_start": _l("Window starts"),
    # Entries written by services rather than the row hook.
    "elders": _l("Elders"),
    "payable_fen": _l("Payable (yuan)"),
    "file": _l("File"),
    "day": _l("Day"),
    "placed": _l("Handed over"),
    "unplaced": _l("Left unassigned"),
    "shifted": _l("Visits moved later"),
    "shifted_minutes": _l("Minutes moved later in all"),
    "created": _l("Added"),
    "updated": _l("Changed"),
    "unchanged": _l("Unchanged"),
    "rows": _l("Rows"),
    "kitchen_id": _l("Kitchen"),
    "canteen_station_id": _l("Canteen station"),
    "collect_at": _l("Collect at"),
    "collected_at": _l("Collected at"),
    "source": _l("Source"),
    "definition": _l("Definition"),
    "loaded_at": _l("Loaded at"),
    "meals_ready": _l("Meals ready at"),
    "ready_at": _l("Ready at"),
    "meal_round_id": _l("Meal round"),
    "form_id": _l("Assessment form"),
    "assessed_on": _l("Assessed on"),
    "answers": _l("Answers"),
    "adjustments": _l("Adjustments"),
    "indicator_scores": _l("Indicator scores"),
    "total": _l("Total"),
    "ability_level": _l("Ability level"),
    "previous_care_level": _l("Previous care level"),
    "place": _l("Place"),
    "signed_by_id": _l("Signed by"),
    "signed_name": _l("Signed name"),
    "signed_at": _l("Signed at"),
    "diet_notes": _l("Dietary notes"),
    "level_tiers": _l("Level tiers"),
    "meal_elder_fen": _l("Meal subsidy to the elder"),
    "meal_operator_fen": _l("Meal subsidy to the operator"),
    "meal_daily_cap": _l("Meals a day at most"),
    "meal_min_age": _l("Meal subsidy from age"),
    "meal_max_age": _l("Meal subsidy to age"),
    "noted_on": _l("Noted on"),
    "noted_by_id": _l("Noted by"),
    "settled_by_id": _l("Settled by"),
    "district": _l("District"),
    "min_visit_percent": _l("Shortest visit (percent of the duration)"),
    "state": _l("State"),
    "proposed_at": _l("Proposed at"),
    "decided_at": _l("Decided at"),
    "requests_cancelled": _l("Requests called off"),
    "visits_cancelled": _l("Visits called off"),
}

# Values that are codes of a vocabulary; enums in core carry their own labels.
VALUE_LABELS: dict[str, Any] = {
    **{str(k): v for k, v in ENUM_LABELS.items()},
    **{str(k): v for k, v in OUTCOME_LABELS.items()},
    OfferStatus.OFFERED: _l("Offered"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.DECLINED: _l("Declined"),
    OfferStatus.WITHDRAWN: _l("Withdrawn"),
    OfferStatus.EXPIRED: _l("Expired"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}

# Fields holding the id of a row people know by name: (model, name column).
NAMED_IDS = {
    "caregiver_id": "Caregiver",
    "elder_id": "Elder",
    "station_id": "Station",
    "service_type_id": "ServiceType",
    "skill_id": "Skill",
    "reviewer_id": "User",
    "locked_by_id": "User",
    "unlocked_by_id": "User",
    "created_by_id": "User",
    "decided_by_id": "User",
}


def _models() -> dict[str, Any]:
    from carehub.auth.models import User
    from carehub.registry.models import Caregiver, Elder, ServiceType, Skill, Station

    return {
        "Caregiver": (Caregiver, Caregiver.name),
        "Elder": (Elder, Elder.name),
        "Station": (Station, Station.name),
        "ServiceType": (ServiceType, ServiceType.name_zh),
        "Skill": (Skill, Skill.name_zh),
        "User": (User, User.username),
    }


def names(session: AnySession, rows: Iterable[AuditLog]) -> dict[tuple[str, int], str]:
    """The names behind the ids the rows mention, one query per kind of row."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        for values in (row.before or {}, row.after or {}):
            for key, value in values.items():
                if key in NAMED_IDS and isinstance(value, int):
                    wanted[NAMED_IDS[key]].add(value)
    found: dict[tuple[str, int], str] = {}
    models = _models()
    for kind, ids in wanted.items():
        model, column = models[kind]
        for rid, name in session.execute(select(model.id, column).where(model.id.in_(ids))):
            found[(kind, rid)] = str(name)
    return found


def _instant(text: str) -> str | None:
    """An ISO instant with an offset, shown in Shanghai time; None for anything else."""
    if "T" not in text or len(text) < 19:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return format_local(value, "%Y-%m-%d %H:%M:%S")


def field(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def value(key: str, raw: Any, named: dict[tuple[str, int], str]) -> str:
    """One value of an audit entry as a reader of the page understands it."""
    if raw is None:
        return "—"
    if isinstance(raw, bool):
        return str(_l("Yes") if raw else _l("No"))
    if key in NAMED_IDS and isinstance(raw, int):
        name = named.get((NAMED_IDS[key], raw))
        return f"{name} (#{raw})" if name else f"#{raw}"
    if key.endswith("_fen") and isinstance(raw, int):
        return yuan(raw)
    if isinstance(raw, list):
        return "、".join(value(key, v, named) for v in raw)
    if isinstance(raw, str):
        if raw in VALUE_LABELS:
            return str(VALUE_LABELS[raw])
        local = _instant(raw)
        if local is not None:
            return local
    return str(raw)
