"""Every mapped class, imported in one place so the metadata (and Alembic) sees them all."""

from carehub.assessment.models import Assessment, AssessmentFlag, AssessmentForm
from carehub.auth.models import LoginSession, User
from carehub.core.audit import AuditLog
from carehub.dispatch.models import CarePlan, MealRound, ServiceRequest, Visit
from carehub.dispatch.planning.models import PlanningRun
from carehub.emergency.models import AlarmDevice
from carehub.geo.models import GeocodeCache
from carehub.jobs.models import Alert, JobRun
from carehub.mobile.models import ApiToken, ChecklistItem, EmergencyOffer, VisitEvent
from carehub.registry.models import (
    Caregiver,
    Elder,
    ElderStatusPeriod,
    Kitchen,
    ServiceType,
    Skill,
    Station,
    caregiver_skills,
)
from carehub.subsidy.models import (
    Adjustment,
    LedgerLine,
    MonthLock,
    ServicePrice,
    SubsidyPolicy,
    VisitReceipt,
    VisitResult,
    VisitReview,
)

__all__ = [
    "Assessment",
    "AssessmentFlag",
    "AssessmentForm",
    "AlarmDevice",
    "Alert",
    "Adjustment",
    "LedgerLine",
    "MonthLock",
    "ServicePrice",
    "VisitReceipt",
    "VisitResult",
    "VisitReview",
    "ApiToken",
    "AuditLog",
    "CarePlan",
    "Caregiver",
    "ChecklistItem",
    "Elder",
    "ElderStatusPeriod",
    "EmergencyOffer",
    "GeocodeCache",
    "JobRun",
    "Kitchen",
    "MealRound",
    "LoginSession",
    "PlanningRun",
    "ServiceRequest",
    "ServiceType",
    "Skill",
    "Station",
    "SubsidyPolicy",
    "User",
    "Visit",
    "VisitEvent",
    "caregiver_skills",
]
