"""Closed vocabularies shared by models, forms and imports."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    CAREGIVER = "caregiver"
    AUDITOR = "auditor"
    ASSESSOR = "assessor"
    BUREAU = "bureau"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class CareLevel(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Hardship(StrEnum):
    DIBAO = "dibao"  # minimum-livelihood guarantee
    LOW_INCOME = "low_income"
    TEKUN = "tekun"  # destitute, no family support
    DISABLED = "disabled"  # shineng: lost the ability to look after themselves
    YOUFU = "youfu"  # entitled groups (veterans' families and the like)
    CHILDLESS_80 = "childless_80"  # 80 or over with no living children
    ONLY_CHILD_80 = "only_child_80"  # 80 or over, parent of an only child
    NONE = "none"


class ElderStatus(StrEnum):
    ACTIVE = "active"
    HOSPITALISED = "hospitalised"
    DECEASED = "deceased"
    MOVED = "moved"


class TravelMode(StrEnum):
    EBIKE = "ebike"
    WALK = "walk"


class RequestOrigin(StrEnum):
    CARE_PLAN = "care_plan"
    PHONE = "phone"
    EMERGENCY = "emergency"


class RequestStatus(StrEnum):
    OPEN = "open"
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class VisitStatus(StrEnum):
    PLANNED = "planned"
    PUBLISHED = "published"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"


class RunOutcome(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ProposalState(StrEnum):
    """A status change proposed by a visit's outcome (carehub.outcomes)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    # The caregiver corrected the outcome before anyone decided.
    WITHDRAWN = "withdrawn"


class AlertKind(StrEnum):
    LATE_VISIT = "late_visit"
    MISSED_VISIT = "missed_visit"
    JOB_FAILED = "job_failed"
    EMERGENCY_ESCALATED = "emergency_escalated"
    LOGIN_LOCKOUT = "login_lockout"
    ELDER_NOT_HOME = "elder_not_home"
    STATUS_PROPOSED = "status_proposed"
    EMERGENCY_NO_OFFER = "emergency_no_offer"


class AbsenceKind(StrEnum):
    SICK = "sick"
    LEAVE = "leave"


class AbsenceStatus(StrEnum):
    REQUESTED = "requested"  # from the phone, waiting for a dispatcher
    APPROVED = "approved"  # only these keep a caregiver out of plans
    DECLINED = "declined"


class CaregiverRuleKind(StrEnum):
    PREFER = "prefer"  # soft: weighted in the plan
    AVOID = "avoid"  # "do not send": hard


LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.DISPATCHER: _l("Dispatcher"),
    Role.CAREGIVER: _l("Caregiver"),
    Role.AUDITOR: _l("Subsidy auditor"),
    Role.ASSESSOR: _l("Assessor"),
    Role.BUREAU: _l("Civil-affairs bureau"),
    Gender.FEMALE: _l("Female"),
    Gender.MALE: _l("Male"),
    CareLevel.NONE: _l("No care need"),
    CareLevel.MILD: _l("Mild"),
    CareLevel.MODERATE: _l("Moderate"),
    CareLevel.SEVERE: _l("Severe"),
    Hardship.DIBAO: _l("Minimum-livelihood (dibao)"),
    Hardship.LOW_INCOME: _l("Low income"),
    Hardship.TEKUN: _l("Destitute (tekun)"),
    Hardship.DISABLED: _l("Disabled"),
    Hardship.YOUFU: _l("Entitled groups"),
    Hardship.CHILDLESS_80: _l("80 or over without children"),
    Hardship.ONLY_CHILD_80: _l("80 or over, parent of an only child"),
    Hardship.NONE: _l("None"),
    ElderStatus.ACTIVE: _l("Active"),
    ElderStatus.HOSPITALISED: _l("Hospitalised"),
    ElderStatus.DECEASED: _l("Deceased"),
    ElderStatus.MOVED: _l("Moved away"),
    TravelMode.EBIKE: _l("E-bike"),
    TravelMode.WALK: _l("On foot"),
    RequestOrigin.CARE_PLAN: _l("Care plan"),
    RequestOrigin.PHONE: _l("Phone"),
    RequestOrigin.EMERGENCY: _l("Emergency"),
    RequestStatus.OPEN: _l("Open"),
    RequestStatus.SCHEDULED: _l("Scheduled"),
    RequestStatus.DONE: _l("Done"),
    RequestStatus.CANCELLED: _l("Cancelled"),
    VisitStatus.PLANNED: _l("Planned"),
    VisitStatus.PUBLISHED: _l("Published"),
    VisitStatus.CHECKED_IN: _l("Checked in"),
    VisitStatus.COMPLETED: _l("Completed"),
    VisitStatus.MISSED: _l("Missed"),
    VisitStatus.CANCELLED: _l("Cancelled"),
    RunOutcome.RUNNING: _l("Running"),
    RunOutcome.SUCCEEDED: _l("Succeeded"),
    RunOutcome.FAILED: _l("Failed"),
    ProposalState.OPEN: _l("Waiting for a decision"),
    ProposalState.CONFIRMED: _l("Confirmed"),
    ProposalState.DISMISSED: _l("Dismissed"),
    ProposalState.WITHDRAWN: _l("Withdrawn: the caregiver corrected the outcome"),
    AlertKind.LATE_VISIT: _l("Late visit"),
    AlertKind.MISSED_VISIT: _l("Missed visit"),
    AlertKind.JOB_FAILED: _l("Scheduled job failed"),
    AlertKind.EMERGENCY_ESCALATED: _l("Emergency escalated"),
    AlertKind.LOGIN_LOCKOUT: _l("Login locked after failed attempts"),
    AlertKind.ELDER_NOT_HOME: _l("Elder not at home"),
    AlertKind.STATUS_PROPOSED: _l("Elder's status change to confirm"),
    AlertKind.EMERGENCY_NO_OFFER: _l("Emergency without an offer"),
    AbsenceKind.SICK: _l("Sick"),
    AbsenceKind.LEAVE: _l("Leave"),
    AbsenceStatus.REQUESTED: _l("Requested"),
    AbsenceStatus.APPROVED: _l("Approved"),
    AbsenceStatus.DECLINED: _l("Declined"),
    CaregiverRuleKind.PREFER: _l("Preferred caregiver"),
    CaregiverRuleKind.AVOID: _l("Do not send"),
}


def label(value: StrEnum | str | None) -> str:
    """The translated label of an enum member, for templates (``value|label``)."""
    if value is None:
        return ""
    return str(LABELS.get(value, value))  # type: ignore[call-overload]


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum]
